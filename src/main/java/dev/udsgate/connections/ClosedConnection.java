package dev.udsgate.connections;

import dev.udsgate.peer.PeerIdentity;
import dev.udsgate.socket.UnixListener;
import java.time.Instant;

/**
 * What the registry keeps of a closed connection: numbers read at its close, made into a
 * {@link ConnectionSnapshot} only when the API asks (most closed connections never are).
 *
 * @param peer null only when the kernel would not say; its process is shown only if it was read
 *     while the connection was open (reading it at every close would cost every connection a look
 *     at /proc, and after the close nothing vouches for the pid)
 * @param openedAt epoch milliseconds, as are {@code lastActivityAt} and {@code closedAt}
 */
record ClosedConnection(
        String id,
        UnixListener listener,
        PeerIdentity peer,
        long openedAt,
        long lastActivityAt,
        long requests,
        long bytesIn,
        long bytesOut,
        long closedAt,
        CloseReason reason) {

    ConnectionSnapshot snapshot() {
        return new ConnectionSnapshot(
                id,
                listener.name(),
                listener.path(),
                peer == null ? null : Peer.withProcessIfRead(peer),
                ConnectionState.CLOSED.label(),
                Instant.ofEpochMilli(openedAt),
                Instant.ofEpochMilli(lastActivityAt),
                requests,
                bytesIn,
                bytesOut,
                Instant.ofEpochMilli(closedAt),
                reason.label());
    }
}
