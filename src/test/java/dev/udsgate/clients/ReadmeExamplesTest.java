package dev.udsgate.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.udsgate.system.BuildInfo;
import dev.udsgate.testing.NodeProject;
import dev.udsgate.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Connect from your language" examples for Node and Python, run as written, the
 * socket path aside, against a real server: each prints the version, then the events so far.
 */
class ReadmeExamplesTest {

    private static final Path README = Path.of("README.md");
    private static final String SECTION = "## Connect from your language";
    private static final String README_SOCKET = "/run/udsgate.sock";
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES) // a first npm ci downloads the pinned packages
    void theNodeExampleRunsAsWritten() throws IOException {
        NodeProject.prepared(); // for undici, in target/ts-clients/node_modules
        Path script = NodeProject.DIR.resolve("readme-example.cjs");
        try (TestServer server = TestServer.start(dir.resolve("udsgate.sock"))) {
            Files.writeString(script, example("js", server));
            assertPrintsVersionThenEvents(NodeProject.run(RUN_TIMEOUT, Map.of(), "node", script.toString()));
        }
    }

    @Test
    void thePythonExampleRunsAsWritten() throws IOException {
        if (NodeProject.run(RUN_TIMEOUT, Map.of(), "sh", "-c", "command -v python3")
                        .exitCode()
                != 0) {
            throw new AssertionError("the README's Python example is run by the build: it needs python3 on the PATH"
                    + " (apt-get install python3; .ci/run installs it)");
        }
        Path script = dir.resolve("readme-example.py");
        try (TestServer server = TestServer.start(dir.resolve("udsgate.sock"))) {
            Files.writeString(script, example("python", server));
            assertPrintsVersionThenEvents(NodeProject.run(RUN_TIMEOUT, Map.of(), "python3", script.toString()));
        }
    }

    private static void assertPrintsVersionThenEvents(NodeProject.Result run) {
        assertThat(run.exitCode()).as("the example printed:\n%s", run.output()).isZero();
        assertThat(run.output().lines())
                .as("the example printed:\n%s", run.output())
                .first()
                .isEqualTo(BuildInfo.current().version());
        assertThat(run.output().lines()).contains("listener.created", "listener.listening");
    }

    /** The first {@code ```language} block of the section, on the test's socket. */
    private static String example(String language, TestServer server) throws IOException {
        String readme = Files.readString(README);
        int section = readme.indexOf(SECTION);
        assertThat(section).as("README.md has a section %s", SECTION).isNotNegative();
        String fence = "\n```" + language + "\n";
        int start = readme.indexOf(fence, section);
        int next = readme.indexOf("\n## ", section + SECTION.length());
        assertThat(start)
                .as("a %s block in the README's %s", language, SECTION)
                .isPositive()
                .isLessThan(next < 0 ? Integer.MAX_VALUE : next);
        int end = readme.indexOf("\n```\n", start + fence.length());
        String code = readme.substring(start + fence.length(), end + 1);
        assertThat(code).contains(README_SOCKET);
        return code.replace(README_SOCKET, server.socket().toString());
    }
}
