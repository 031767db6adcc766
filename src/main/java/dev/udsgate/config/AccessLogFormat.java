package dev.udsgate.config;

import java.util.Locale;
import java.util.Optional;

/** How the access log writes its one line per request. */
public enum AccessLogFormat {
    /** Fields separated by spaces, {@code name=value} where a name helps. */
    TEXT,
    /** One JSON object per line. */
    JSON;

    public static final String CHOICES = "text or json";

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<AccessLogFormat> parse(String text) {
        for (AccessLogFormat format : values()) {
            if (format.label().equals(text)) {
                return Optional.of(format);
            }
        }
        return Optional.empty();
    }
}
