package dev.udsgate.config;

import java.util.Locale;
import java.util.Optional;

/** How udsgate's log (standard error) writes its one line per event. */
public enum LogFormat {
    /** {@code 2026-12-02T03:21:45.123Z INFO  dev.udsgate.cli.ServeCommand [main] stopped gracefully in 21 ms} */
    TEXT,
    /** One JSON object per line: {@code timestamp}, {@code level}, {@code logger}, {@code thread}, {@code message}. */
    JSON;

    public static final String CHOICES = "text or json";
    public static final LogFormat DEFAULT = TEXT;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<LogFormat> parse(String text) {
        for (LogFormat format : values()) {
            if (format.label().equals(text)) {
                return Optional.of(format);
            }
        }
        return Optional.empty();
    }
}
