package dev.udsgate.gateway.fast;

import java.nio.channels.SocketChannel;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;

/**
 * Where the fast path's upstream connections live, handed to it by whoever wires the server: the
 * selectors of the listener a request came through, so that the request read and its answer
 * written run on one thread, with no hand-off between two selectors (a context switch each).
 */
@FunctionalInterface
public interface ChannelHost {

    /**
     * Serves {@code channel} on the selectors of the listener {@code request} came through.
     *
     * @param channel non-blocking, connected or with its connect begun
     * @return false if that listener cannot host it: nothing was done
     */
    boolean host(Request request, SocketChannel channel, Outgoing outgoing);

    /** A connection the fast path opens to an upstream, told how its connect ended. */
    interface Outgoing {
        /** The channel is connected: make its connection, which Jetty then opens. */
        Connection newConnection(EndPoint endPoint);

        /** The channel could not connect. */
        void connectFailed(Throwable failure);
    }
}
