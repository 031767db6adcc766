package dev.udsgate.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.udsgate.config.FileMode;
import dev.udsgate.testing.SocketFixtures;
import dev.udsgate.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may connect is decided by the kernel from the socket file's mode and group. A client run as
 * {@code nobody} (uid 65534, group nogroup) through {@code runuser}, with curl, as users would.
 */
class PeerPermissionTest {

    @TempDir
    Path tmp;

    Path dir;

    @BeforeEach
    void needRootAndClients() throws IOException {
        assumeTrue(SocketFixtures.isRoot(), "runs a client as nobody, which needs root");
        assumeTrue(
                Files.isExecutable(Path.of("/usr/sbin/runuser")) || Files.isExecutable(Path.of("/sbin/runuser")),
                "needs runuser");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "needs curl");
        // The folders on the way must let nobody through, so that only the socket's mode decides.
        dir = SocketFixtures.traversableFolder(tmp);
    }

    @Test
    void nobodyIsRefusedOnAnOwnerAndGroupOnlySocket() throws Exception {
        try (TestServer server =
                TestServer.start(dir.resolve("private.sock"), FileMode.parse("0660"), Optional.empty())) {
            ClientResult result = curlAsNobody(server.socket());
            assertThat(result.exitCode())
                    .as("curl exit code (7: could not connect)")
                    .isEqualTo(7);
        }
    }

    @Test
    void nobodyConnectsToAWorldWritableSocket() throws Exception {
        try (TestServer server = TestServer.start(dir.resolve("open.sock"), FileMode.parse("0666"), Optional.empty())) {
            ClientResult result = curlAsNobody(server.socket());
            assertThat(result.exitCode()).isZero();
            assertThat(result.output()).isEqualTo("OK\n200");
        }
    }

    @Test
    void nobodyConnectsWhenTheSocketIsGivenToItsGroup() throws Exception {
        try (TestServer server =
                TestServer.start(dir.resolve("group.sock"), FileMode.parse("0660"), Optional.of("nogroup"))) {
            ClientResult result = curlAsNobody(server.socket());
            assertThat(result.exitCode()).isZero();
            assertThat(result.output()).isEqualTo("OK\n200");
        }
    }

    record ClientResult(int exitCode, String output) {}

    private static ClientResult curlAsNobody(Path socket) throws IOException, InterruptedException {
        Process curl = new ProcessBuilder(
                        "runuser",
                        "-u",
                        "nobody",
                        "--",
                        "curl",
                        "-s",
                        "--max-time",
                        "5",
                        "--unix-socket",
                        socket.toString(),
                        "-w",
                        "\\n%{http_code}",
                        "http://localhost/_ping")
                .redirectErrorStream(true)
                .start();
        assertThat(curl.waitFor(10, TimeUnit.SECONDS)).isTrue();
        // The body, then the status on a line of its own: "OK\n200"; "\n000" when refused.
        return new ClientResult(
                curl.exitValue(), new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
