package dev.udsgate.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.udsgate.config.LogFormat;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** One event, as each format writes it: always one line, however the message or a stack trace reads. */
class LineEncoderTest {

    private final Logger logger = new LoggerContext().getLogger("dev.udsgate.gateway.HealthChecker");

    private String encode(LogFormat format, String message, Throwable thrown) {
        LoggingEvent event = new LoggingEvent(Logger.FQCN, logger, Level.WARN, message, thrown, null);
        event.setThreadName("udsgate-12");
        event.setTimeStamp(1_796_181_705_123L);
        return new String(new LineEncoder(format).encode(event), StandardCharsets.UTF_8);
    }

    @Test
    void textIsTimeLevelLoggerThreadAndMessageWithControlCharactersEscaped() {
        assertThat(encode(LogFormat.TEXT, "path /a\nINFO forged line\u0007", null))
                .isEqualTo("2026-12-02T03:21:45.123Z WARN  dev.udsgate.gateway.HealthChecker [udsgate-12]"
                        + " path /a\\nINFO forged line\\u0007\n");
    }

    @Test
    void textPutsAStackTraceOnTheLinesAfterTheEvent() {
        String text = encode(LogFormat.TEXT, "upstream failed", new IllegalStateException("gone"));

        assertThat(text.lines().findFirst().orElseThrow()).endsWith("[udsgate-12] upstream failed");
        assertThat(text).contains("\njava.lang.IllegalStateException: gone\n\tat ");
    }

    @Test
    void jsonIsOneObjectOnOneLineWithTheStackTraceInsideIt() throws Exception {
        String json = encode(LogFormat.JSON, "line one\nline two", new IllegalStateException("gone"));

        assertThat(json).endsWith("\n");
        assertThat(json.strip().lines()).hasSize(1);
        JsonNode event = new ObjectMapper().readTree(json);
        assertThat(event.path("timestamp").asText()).isEqualTo("2026-12-02T03:21:45.123Z");
        assertThat(event.path("level").asText()).isEqualTo("WARN");
        assertThat(event.path("logger").asText()).isEqualTo("dev.udsgate.gateway.HealthChecker");
        assertThat(event.path("thread").asText()).isEqualTo("udsgate-12");
        assertThat(event.path("message").asText()).isEqualTo("line one\nline two");
        assertThat(event.path("exception").asText()).startsWith("java.lang.IllegalStateException: gone\n\tat ");
    }

    @Test
    void jsonLeavesOutTheExceptionWhenThereIsNone() throws Exception {
        JsonNode event = new ObjectMapper().readTree(encode(LogFormat.JSON, "stopped", null));

        assertThat(event.has("exception")).isFalse();
    }
}
