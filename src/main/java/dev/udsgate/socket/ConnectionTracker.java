package dev.udsgate.socket;

import org.eclipse.jetty.io.Connection;

/**
 * Told of each client connection of a listener when it opens and when it closes, by the
 * listener's selectors themselves: a {@link Connection.Listener} would instead be added to every
 * connection's own list of listeners, an array copied at each accept (0.2 µs a connection here,
 * bench/tracking.sh). Neither call may block.
 */
public interface ConnectionTracker {

    /** Once the connection is open, before any of its bytes is read. */
    void opened(ListenerEndPoint endPoint, Connection connection);

    /**
     * Once its endpoint has closed.
     *
     * @param connection the endpoint's last connection: after an HTTP upgrade, the one it was
     *     upgraded to (the first is not reported closed at the upgrade: the client goes on)
     */
    void closed(ListenerEndPoint endPoint, Connection connection);

    /** Tracks nothing. */
    ConnectionTracker NONE = new ConnectionTracker() {
        @Override
        public void opened(ListenerEndPoint endPoint, Connection connection) {}

        @Override
        public void closed(ListenerEndPoint endPoint, Connection connection) {}
    };
}
