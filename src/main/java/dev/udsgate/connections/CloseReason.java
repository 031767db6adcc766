package dev.udsgate.connections;

/** Why a connection ended. */
public enum CloseReason {
    /** The client closed it, or the exchange ended it (an error, {@code Connection: close}). */
    CLIENT("client"),
    /** A request's head did not arrive, whole, within the header timeout. */
    HEADER_TIMEOUT("headerTimeout"),
    /** No bytes moved for the idle timeout. */
    IDLE_TIMEOUT("idleTimeout"),
    /** Closed through {@code DELETE /v1/connections/{id}}. */
    KILLED("killed"),
    /** The server was stopping. */
    SHUTDOWN("shutdown");

    private final String label;

    CloseReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
