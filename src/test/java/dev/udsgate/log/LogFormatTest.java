package dev.udsgate.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.udsgate.cli.Main;
import dev.udsgate.testing.ServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --log-format}: the log on standard error, as text or JSON lines, for a start and a stop. */
class LogFormatTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String UTC_MILLIS = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

    @TempDir
    Path dir;

    /** Starts, waits for the socket, stops with SIGTERM: exit 0, and standard error's lines. */
    private List<String> startAndStop(String... options) {
        Path socket = dir.resolve("s.sock");
        List<String> args = new ArrayList<>(List.of("serve", "--socket", socket.toString()));
        args.addAll(List.of(options));
        try (ServerProcess server = ServerProcess.startApart(
                dir.resolve("out.txt"), dir.resolve("err.txt"), Main.class, args.toArray(String[]::new))) {
            server.awaitOutput("listening on unix:" + socket + "\n", Duration.ofSeconds(20));
            server.terminate();
            assertThat(server.awaitExit(Duration.ofSeconds(20)))
                    .as(server.errors())
                    .isZero();
            assertThat(server.output())
                    .as("standard output holds no log")
                    .isEqualTo("listening on unix:" + socket + "\n");
            return server.errors().lines().toList();
        }
    }

    @Test
    void asJsonEachEventIsOneObjectPerLineWithItsUtcTimeLevelWholeLoggerNameAndMessage() {
        List<String> lines = startAndStop("--log-format", "json");

        assertThat(lines).hasSizeGreaterThanOrEqualTo(3);
        List<JsonNode> events = lines.stream().map(LogFormatTest::object).toList();
        for (JsonNode event : events) {
            assertThat(event.path("timestamp").asText()).matches(UTC_MILLIS);
            assertThat(event.path("level").asText()).isIn("INFO", "WARN");
            assertThat(event.path("logger").asText()).startsWith("dev.udsgate.");
            assertThat(event.path("thread").asText()).isNotEmpty();
            assertThat(event.path("message").asText()).isNotEmpty();
            assertThat(event.has("exception")).isFalse();
        }
        assertThat(events)
                .anySatisfy(event -> {
                    assertThat(event.path("logger").asText()).isEqualTo("dev.udsgate.socket.UnixListener");
                    assertThat(event.path("message").asText()).startsWith("listener main: listening on unix:");
                })
                .anySatisfy(event -> {
                    assertThat(event.path("logger").asText()).isEqualTo("dev.udsgate.cli.ServeCommand");
                    assertThat(event.path("message").asText()).startsWith("stopped gracefully in ");
                });
    }

    @Test
    void asTextEachEventIsOneLineWithItsUtcTimeAndZoneLevelWholeLoggerNameThreadAndMessage() {
        List<String> lines = startAndStop();

        assertThat(lines)
                .hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(line -> assertThat(line)
                        .matches(UTC_MILLIS + " (INFO |WARN ) dev\\.udsgate\\.[\\w.]+ \\[[^\\]]+\\] \\S.*"));
        assertThat(lines)
                .anyMatch(
                        line -> line.matches(".* INFO  dev\\.udsgate\\.socket\\.UnixListener \\[main\\] listener main:"
                                + " listening on unix:.*"))
                .anyMatch(line -> line.matches(
                        ".* INFO  dev\\.udsgate\\.cli\\.ServeCommand \\[main\\] stopped gracefully in \\d+ ms"));
    }

    @Test
    void theConfigFileMayChooseTheFormatAndTheFlagOverridesIt() throws IOException {
        Path config = dir.resolve("udsgate.yaml");
        Files.writeString(config, "logFormat: json\n");

        assertThat(startAndStop("--config", config.toString())).allSatisfy(LogFormatTest::object);
        assertThat(startAndStop("--config", config.toString(), "--log-format", "text"))
                .allSatisfy(line -> assertThat(line).matches(UTC_MILLIS + " .*"));
    }

    @Test
    void aFormatThatIsNotTextOrJsonIsOnePlainLineAndExitTwo() {
        try (ServerProcess server = ServerProcess.startApart(
                dir.resolve("out.txt"),
                dir.resolve("err.txt"),
                Main.class,
                "serve",
                "--socket",
                dir.resolve("s.sock").toString(),
                "--log-format",
                "xml")) {
            assertThat(server.awaitExit(Duration.ofSeconds(20))).isEqualTo(Main.EXIT_USAGE);
            assertThat(server.errors())
                    .isEqualTo("udsgate: --log-format must be text or json, got xml (see 'udsgate serve --help')\n");
            assertThat(server.output()).isEmpty();
        }
    }

    private static JsonNode object(String line) {
        try {
            JsonNode node = JSON.readTree(line);
            assertThat(node.isObject()).as(line).isTrue();
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException("not one JSON object: " + line, e);
        }
    }
}
