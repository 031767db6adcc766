package dev.udsgate.connections;

import dev.udsgate.peer.PeerIdentity;
import dev.udsgate.socket.ListenerEndPoint;
import dev.udsgate.socket.UnixListener;
import java.time.Instant;
import java.util.function.ToLongFunction;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * An open connection the registry knows. Its counters are Jetty's own, read only when asked for;
 * its process is read when first asked for too ({@link Peer#of}).
 */
final class TrackedConnection {

    final String id;
    final UnixListener listener;
    /** Null only when the kernel would not say. */
    final PeerIdentity peer;

    /** Epoch milliseconds. */
    final long openedAt;

    final ListenerEndPoint endPoint;
    /** The HTTP connection it opened with; after an upgrade, the totals add its counters to the next one's. */
    private final Connection first;

    volatile boolean killed;

    TrackedConnection(
            String id, UnixListener listener, PeerIdentity peer, ListenerEndPoint endPoint, Connection first) {
        this.id = id;
        this.listener = listener;
        this.peer = peer;
        this.endPoint = endPoint;
        this.first = first;
        this.openedAt = first.getCreatedTimeStamp();
    }

    /** Jetty's connection on the endpoint now: the HTTP one, or what it was upgraded to. */
    private Connection connection() {
        return endPoint.getConnection();
    }

    ConnectionSnapshot snapshot() {
        ConnectionState state = connection() != first
                ? ConnectionState.UPGRADED
                : isHandlingRequest() ? ConnectionState.ACTIVE : ConnectionState.IDLE;
        return new ConnectionSnapshot(
                id,
                listener.name(),
                listener.path(),
                peer == null ? null : Peer.of(peer),
                state.label(),
                Instant.ofEpochMilli(openedAt),
                Instant.ofEpochMilli(lastActivityAt(System.currentTimeMillis())),
                total(Connection::getMessagesIn),
                total(Connection::getBytesIn),
                total(Connection::getBytesOut),
                null,
                null);
    }

    /** What is kept of it once closed: its last counters, read now. */
    ClosedConnection closed(long closedAt, CloseReason reason) {
        return new ClosedConnection(
                id,
                listener,
                peer,
                openedAt,
                lastActivityAt(closedAt),
                total(Connection::getMessagesIn),
                total(Connection::getBytesIn),
                total(Connection::getBytesOut),
                closedAt,
                reason);
    }

    /** A counter over the connection's whole life, before and after an upgrade (-1, unknown, counts 0). */
    private long total(ToLongFunction<Connection> counter) {
        Connection now = connection();
        long total = Math.max(0, counter.applyAsLong(first));
        return now == first ? total : total + Math.max(0, counter.applyAsLong(now));
    }

    /** The peer's user as the API and logs name it, or null. */
    String userLabel() {
        return peer == null ? null : Peer.labelOf(peer.user());
    }

    /** True when the endpoint closed because no bytes moved for its idle timeout. */
    boolean idleExpired() {
        return endPoint.idleExpired();
    }

    /** Epoch milliseconds, as {@code now} is. */
    private long lastActivityAt(long now) {
        return now - endPoint.getIdleFor();
    }

    private boolean isHandlingRequest() {
        // Jetty's HTTP/1 channel holds a request from its first byte until its response completes.
        return connection() instanceof HttpConnection http
                && http.getHttpChannel().getRequest() != null;
    }
}
