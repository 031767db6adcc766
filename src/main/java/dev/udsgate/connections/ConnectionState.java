package dev.udsgate.connections;

import java.util.Locale;
import java.util.Optional;

/** Where a connection is in its life. */
public enum ConnectionState {
    /** A request is in progress on it. */
    ACTIVE,
    /** Open, between requests. */
    IDLE,
    /**
     * Switched to another protocol after a {@code 101} (a WebSocket, Docker's {@code attach}): a
     * byte tunnel to an upstream, no longer HTTP.
     */
    UPGRADED,
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
