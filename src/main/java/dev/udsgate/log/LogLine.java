package dev.udsgate.log;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.Optional;

/**
 * What one log line says, whichever its shape: the fields are picked here once, so text and JSON
 * cannot drift apart.
 *
 * @param exception the stack trace, as Java prints it; empty when the event has none
 */
record LogLine(
        Instant timestamp, String level, String logger, String thread, String message, Optional<String> exception) {

    /** UTC, always three fraction digits and the zone, as the API's times and the access log's. */
    static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);

    static LogLine of(ILoggingEvent event) {
        IThrowableProxy thrown = event.getThrowableProxy();
        return new LogLine(
                event.getInstant(),
                event.getLevel().toString(),
                event.getLoggerName(),
                event.getThreadName(),
                Objects.requireNonNullElse(event.getFormattedMessage(), ""),
                thrown == null ? Optional.empty() : Optional.of(ThrowableProxyUtil.asString(thrown)));
    }

    String time() {
        return TIMESTAMP.format(timestamp);
    }
}
