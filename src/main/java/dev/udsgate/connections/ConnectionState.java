package dev.udsgate.connections;

import java.util.Locale;
import java.util.Optional;

/** Where a connection is in its life. */
public enum ConnectionState {
    /** A request is in progress on it. */
    ACTIVE,
    /** Open, between requests. */
    IDLE,
    /** Gone; kept in a bounded history. */
    CLOSED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ConnectionState> parse(String label) {
        for (ConnectionState state : values()) {
            if (state.label().equals(label)) {
                return Optional.of(state);
            }
        }
        return Optional.empty();
    }
}
