package dev.udsgate.connections;

import dev.udsgate.peer.PeerIdentity;
import dev.udsgate.socket.ListenerEndPoint;
import dev.udsgate.socket.UnixListener;
import java.time.Instant;
import java.util.function.ToLongFunction;
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
    /** Jetty's connection on the endpoint now: the HTTP one, or what it was upgraded to. */
    volatile Connection connection;
    /** The HTTP connection before an upgrade, whose counters the totals include; null until one. */
    private volatile Connection upgradedFrom;

    volatile boolean killed;

    TrackedConnection(String id, UnixListener listener, PeerIdentity peer, Connection connection) {
        this.id = id;
        this.listener = listener;
        this.peer = peer;
        this.openedAt = Instant.ofEpochMilli(connection.getCreatedTimeStamp());
        this.connection = connection;
    }

    ConnectionSnapshot snapshot() {
        ConnectionState state = upgradedFrom != null
                ? ConnectionState.UPGRADED
                : isHandlingRequest() ? ConnectionState.ACTIVE : ConnectionState.IDLE;
        return snapshot(state, null, null);
    }

    /** The same client goes on, on the same endpoint, through {@code next} (an HTTP upgrade). */
    void upgradedTo(Connection next) {
        upgradedFrom = connection;
        connection = next;
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
                total(Connection::getMessagesIn),
                total(Connection::getBytesIn),
                total(Connection::getBytesOut),
                closedAt,
                reason == null ? null : reason.label());
    }

    /** A counter over the connection's whole life, before and after an upgrade (-1, unknown, counts 0). */
    private long total(ToLongFunction<Connection> counter) {
        Connection before = upgradedFrom;
        long now = Math.max(0, counter.applyAsLong(connection));
        return before == null ? now : now + Math.max(0, counter.applyAsLong(before));
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
