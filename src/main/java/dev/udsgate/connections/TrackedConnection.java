package dev.udsgate.connections;

import dev.udsgate.peer.PeerIdentity;
import dev.udsgate.socket.ListenerEndPoint;
import dev.udsgate.socket.UnixListener;
import java.time.Instant;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.IdleTimeout;
import org.eclipse.jetty.server.internal.HttpConnection;

/** An open connection the registry knows. Its counters are Jetty's own, read only when asked for. */
final class TrackedConnection {

    final String id;
    final UnixListener listener;
    /** Null only when the kernel would not say. */
    final PeerIdentity peer;

    final Instant openedAt;
    final Connection connection;
    volatile boolean killed;

    TrackedConnection(String id, UnixListener listener, PeerIdentity peer, Connection connection) {
        this.id = id;
        this.listener = listener;
        this.peer = peer;
        this.openedAt = Instant.ofEpochMilli(connection.getCreatedTimeStamp());
        this.connection = connection;
    }

    ConnectionSnapshot snapshot() {
        return snapshot(isHandlingRequest() ? ConnectionState.ACTIVE : ConnectionState.IDLE, null, null);
    }

    ConnectionSnapshot closed(Instant closedAt, CloseReason reason) {
        return snapshot(ConnectionState.CLOSED, closedAt, reason);
    }

    private ConnectionSnapshot snapshot(ConnectionState state, Instant closedAt, CloseReason reason) {
        return new ConnectionSnapshot(
                id,
                listener.name(),
                listener.path(),
                peerView(state),
                state.label(),
                openedAt,
                lastActivityAt(),
                connection.getMessagesIn(),
                connection.getBytesIn(),
                connection.getBytesOut(),
                closedAt,
                reason == null ? null : reason.label());
    }

    /** The peer's user as the API and logs name it, or null. */
    String userLabel() {
        return peer == null ? null : Peer.labelOf(peer.user());
    }

    /**
     * An open connection's process is read when first asked for; a closed one's only if it was read
     * while open (reading it at every close would cost every connection a look at /proc).
     */
    private Peer peerView(ConnectionState state) {
        if (peer == null) {
            return null;
        }
        return state == ConnectionState.CLOSED ? Peer.withProcessIfRead(peer) : Peer.of(peer);
    }

    /** True when the endpoint closed because no bytes moved for its idle timeout. */
    boolean idleExpired() {
        return connection.getEndPoint() instanceof ListenerEndPoint endPoint && endPoint.idleExpired();
    }

    private Instant lastActivityAt() {
        if (connection.getEndPoint() instanceof IdleTimeout idle) {
            return Instant.ofEpochMilli(System.currentTimeMillis() - idle.getIdleFor());
        }
        return openedAt;
    }

    private boolean isHandlingRequest() {
        // Jetty's HTTP/1 channel holds a request from its first byte until its response completes.
        return connection instanceof HttpConnection http
                && http.getHttpChannel().getRequest() != null;
    }
}
