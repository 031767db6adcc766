package dev.udsgate.socket;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;

/**
 * A connection the server opens to somewhere else (the gateway's upstreams) on a listener's own
 * selectors: see {@link ListenerConnector#dial}.
 */
public interface OutgoingConnection {

    /** The channel is connected: make its connection, which Jetty then opens. */
    Connection newConnection(EndPoint endPoint);

    /** The channel could not connect. */
    void connectFailed(Throwable failure);
}
