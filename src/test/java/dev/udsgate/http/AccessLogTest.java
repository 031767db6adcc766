package dev.udsgate.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.udsgate.cli.Main;
import dev.udsgate.testing.Api;
import dev.udsgate.testing.ServerProcess;
import dev.udsgate.testing.TestUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --access-log}: one line per answered request, the API's and the gateway's. */
class AccessLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private ServerProcess serve(String format) throws Exception {
        Path config = dir.resolve("udsgate.yaml");
        Files.writeString(
                config,
                "routes:\n  - name: app\n    host: app\n    upstreams: [\"unix:" + dir.resolve("app.sock") + "\"]\n");
        Path socket = dir.resolve(format + ".sock");
        ServerProcess server = ServerProcess.start(
                dir.resolve(format + ".log"),
                Main.class,
                "serve",
                "--socket",
                socket.toString(),
                "--config",
                config.toString(),
                "--access-log",
                format);
        server.awaitOutput("\nlistening on unix:" + socket + "\n", Duration.ofSeconds(20));
        return server;
    }

    private static List<String> accessLines(ServerProcess server, String start, int count) throws Exception {
        return accessLines(server, start, count, line -> true);
    }

    private static List<String> accessLines(
            ServerProcess server, String start, int count, java.util.function.Predicate<String> wanted)
            throws Exception {
        for (int i = 0; i < 200; i++) {
            List<String> lines = server.output()
                    .lines()
                    .filter(line -> line.startsWith(start))
                    .filter(wanted)
                    .toList();
            if (lines.size() >= count) {
                return lines;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("fewer than " + count + " access lines in:\n" + server.output());
    }

    @Test
    void eachRequestIsOneJsonLineWithWhoAskedWhatAndHowItWent() throws Exception {
        try (TestUpstream upstream = TestUpstream.onUnixSocket("app", dir.resolve("app.sock"));
                ServerProcess server = serve("json")) {
            Path socket = dir.resolve("json.sock");
            Api.over(socket)
                    .header("X-Request-Id", "job-1")
                    .get("/_ping")
                    .then()
                    .statusCode(200);
            Api.over(socket).get("/v1/nothing").then().statusCode(404);
            Api.unchecked(socket)
                    .header("Host", "app")
                    .get("/orders?id=7")
                    .then()
                    .statusCode(200);

            List<String> lines = accessLines(server, "{\"time\"", 3);
            JsonNode ping = JSON.readTree(lines.get(0));
            assertThat(ping.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            assertThat(ping.get("listener").asText()).isEqualTo("main");
            assertThat(ping.get("connection").asText()).matches("\\d+");
            assertThat(ping.get("uid").asLong()).isEqualTo(SocketUid.current());
            assertThat(ping.get("method").asText()).isEqualTo("GET");
            assertThat(ping.get("path").asText()).isEqualTo("/_ping");
            assertThat(ping.get("route").isNull()).isTrue();
            assertThat(ping.get("status").asInt()).isEqualTo(200);
            assertThat(ping.get("bytes").asLong()).isEqualTo(2);
            assertThat(ping.get("requestId").asText()).isEqualTo("job-1");
            assertThat(JSON.readTree(lines.get(1)).get("status").asInt()).isEqualTo(404);
            JsonNode routed = JSON.readTree(lines.get(2));
            assertThat(routed.get("route").asText()).isEqualTo("app");
            assertThat(routed.get("path").asText()).isEqualTo("/orders?id=7");
            assertThat(routed.get("bytes").asLong()).isPositive();
        }
    }

    @Test
    void asTextEachRequestIsOneLineOfFields() throws Exception {
        try (ServerProcess server = serve("text")) {
            Api.over(dir.resolve("text.sock")).get("/v1/version").then().statusCode(200);

            // Not just any line starting "20": udsgate's own log lines start with the date too, and
            // the access line is written once the answer is sent, maybe after the client has it.
            String line = accessLines(server, "20", 1, l -> l.contains(" GET /v1/version "))
                    .get(0);
            assertThat(line)
                    .matches("\\S+Z main \\d+ uid=\\d+ GET /v1/version route=- 200 \\d+ \\d+ms id=[0-9a-f]{16}");
        }
    }

    /** The uid the tests run as, which the kernel reports for their connections. */
    private static final class SocketUid {
        static long current() throws Exception {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        }
    }
}
