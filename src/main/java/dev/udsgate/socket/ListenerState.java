package dev.udsgate.socket;

/** The life of a listening Unix socket, in the order of the system calls behind it. */
public enum ListenerState {
    /** Configured; {@code socket()} not yet called. */
    CREATED,
    /** {@code bind()} and {@code listen()} done in udsgate's private folder: no client can reach it yet. */
    BOUND,
    /** Secured and moved to its path: clients connect. */
    LISTENING,
    /**
     * Still open, but its path no longer leads to it: the file was removed or replaced by hand.
     * Clients that are connected stay; new ones cannot reach it.
     */
    DETACHED,
    /** Stopping: the file is withdrawn, requests in flight finish, no new connection is accepted. */
    DRAINING,
    /** The server socket is closed. */
    CLOSED;

    /** Lower-case name, as the API shows it. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
