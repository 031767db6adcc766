package dev.udsgate.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.udsgate.testing.NodeProject;
import dev.udsgate.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TypeScript client the build generates (typescript-fetch), compiled by tsc with its tests
 * (src/test/typescript/clients.test.ts) and run by Node's test runner against a server started
 * here, over its Unix socket through undici's {@code Agent({connect: {socketPath}})}.
 */
class TypeScriptClientTest {

    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES) // a first npm ci downloads the pinned packages
    void theGeneratedClientMakesEveryCallOverTheSocket() {
        NodeProject.prepared();
        try (TestServer server = TestServer.start(dir.resolve("udsgate.sock"))) {
            NodeProject.Result run = NodeProject.run(
                    RUN_TIMEOUT,
                    Map.of("UDSGATE_SOCKET", server.socket().toString()),
                    "node",
                    "--test",
                    "--test-reporter=spec",
                    "dist/clients.test.js");

            assertThat(run.exitCode())
                    .as("node --test dist/clients.test.js:\n%s", run.output())
                    .isZero();
            assertThat(run.output()).contains("pass 4").contains("fail 0");
        }
    }
}
