package dev.udsgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.udsgate.cli.Main;
import dev.udsgate.testing.Api;
import dev.udsgate.testing.ServerProcess;
import dev.udsgate.testing.TestUpstream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A route is data: a thousand of them start, serve and stop like one, with no more threads. */
class RouteScaleTest {

    private static final Duration START = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    /**
     * {@code count} routes: mixed exact, wildcard and any host, with and without a prefix, on Unix
     * and TCP upstreams that mostly do not exist; the last one leads to {@code upstream}.
     */
    private Path config(int count, Path upstream) throws IOException {
        StringBuilder yaml = new StringBuilder("routes:\n");
        for (int i = 0; i < count - 1; i++) {
            String match = switch (i % 4) {
                case 0 -> "host: h" + i;
                case 1 -> "host: \"*.w" + i + ".internal\"";
                case 2 -> "pathPrefix: /p" + i;
                default -> "host: h" + i + "\n    pathPrefix: /p" + i;
            };
            String to = i % 2 == 0 ? "unix:/run/nothing/up" + i + ".sock" : "http://127.0.0.1:" + (20000 + i);
            yaml.append("  - name: r").append(i).append("\n    ").append(match);
            yaml.append("\n    upstreams: [\"").append(to).append("\"]\n");
        }
        yaml.append("  - name: last\n    host: \"*.svc.internal\"\n    pathPrefix: /api\n");
        yaml.append("    upstreams: [\"unix:").append(upstream).append("\"]\n");
        Path file = dir.resolve("routes-" + count + ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    /** Starts a server; {@link #awaitListening} waits for it, so that two start side by side. */
    private ServerProcess serve(Path config, String name) {
        Path socket = dir.resolve(name + ".sock");
        return ServerProcess.start(
                dir.resolve(name + ".log"),
                Main.class,
                "serve",
                "--socket",
                socket.toString(),
                "--config",
                config.toString());
    }

    private void awaitListening(ServerProcess server, String name) {
        server.awaitOutput("listening on unix:" + dir.resolve(name + ".sock"), START);
    }

    private static int threadsOf(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(line -> line.startsWith("Threads:"))
                .mapToInt(line ->
                        Integer.parseInt(line.substring("Threads:".length()).strip()))
                .findFirst()
                .orElseThrow();
    }

    @Test
    @Timeout(90)
    void aThousandRoutesStartServeAndStopWithTheThreadsOfOne() throws Exception {
        Path upstreamSocket = dir.resolve("up.sock");
        try (TestUpstream upstream = TestUpstream.onUnixSocket("last", upstreamSocket);
                ServerProcess one = serve(config(1, upstreamSocket), "one");
                ServerProcess thousand = serve(config(1000, upstreamSocket), "thousand")) {
            awaitListening(one, "one");
            awaitListening(thousand, "thousand");
            for (String name : new String[] {"one", "thousand"}) {
                Api.unchecked(dir.resolve(name + ".sock"))
                        .header("Host", "a.svc.internal")
                        .get("/api/x")
                        .then()
                        .statusCode(200);
            }
            Api.over(dir.resolve("thousand.sock"))
                    .get("/v1/routes")
                    .then()
                    .statusCode(200)
                    .body("size()", equalTo(1000));

            assertThat(threadsOf(thousand.pid())).isLessThanOrEqualTo(threadsOf(one.pid()) + 4);

            thousand.signal("TERM");
            assertThat(thousand.awaitExit(Duration.ofSeconds(10))).isZero();
            assertThat(thousand.output()).doesNotContain("Couldn't stop").doesNotContain("Exception");
        }
    }
}
