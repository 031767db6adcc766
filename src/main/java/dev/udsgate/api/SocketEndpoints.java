package dev.udsgate.api;

import dev.udsgate.connections.ConnectionLimiter;
import dev.udsgate.connections.ConnectionRegistry;
import dev.udsgate.socket.InheritedSocket;
import dev.udsgate.socket.ListenerConnector;
import dev.udsgate.socket.ListenerState;
import dev.udsgate.socket.SocketFile.SocketFileStatus;
import dev.udsgate.socket.UnixListener;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** {@code /v1/socket}: the caller's listener and its socket file, as the kernel and filesystem see them now. */
final class SocketEndpoints {

    /** {@code activation}: udsgate bound the socket itself. */
    static final String BOUND = "bound";
    /** {@code activation}: systemd bound it and passed it in (socket activation). */
    static final String SYSTEMD = "systemd";

    private final ConnectionRegistry connections;

    SocketEndpoints(ConnectionRegistry connections) {
        this.connections = connections;
    }

    Reply socket(ApiCall call) {
        UnixListener listener = call.listener();
        listener.checkPath();
        ConnectionLimiter.Status limits =
                connections.limiter(listener.name()).orElseThrow().status();
        // A socket systemd passed in has the .socket unit's mode, group and backlog, not udsgate's.
        boolean bound = listener.inherited().isEmpty();
        return Reply.json(new SocketBody(
                listener.name(),
                listener.path(),
                bound ? BOUND : SYSTEMD,
                listener.inherited().map(InheritedSocket::fd).orElse(null),
                listener.state().label(),
                bound ? listener.config().mode().octal() : null,
                bound ? listener.config().group().orElse(null) : null,
                bound ? listener.effectiveBacklog() : null,
                bound ? listener.config().backlog() : null,
                ListenerConnector.serving(call.request()).acceptQueueLength().stream()
                        .boxed()
                        .findFirst()
                        .orElse(null),
                listener.enteredAt(ListenerState.BOUND).orElse(null),
                listener.enteredAt(ListenerState.LISTENING).orElse(null),
                listener.lifecycle().stream()
                        .map(t -> new Transition(t.state().label(), t.at()))
                        .toList(),
                listener.fileStatus().orElse(null),
                limits.limits(),
                limits.open(),
                limits.hits()));
    }

    /**
     * {@code GET /v1/socket}.
     *
     * @param activation {@code bound} (udsgate bound the socket) or {@code systemd} (passed in)
     * @param fd the descriptor systemd passed the socket on; null when bound
     * @param configuredMode the mode udsgate applied; {@code file.mode} shows the mode now; null for systemd's
     * @param configuredGroup the group asked for with {@code --group}, or null for the process's own (or systemd's)
     * @param backlog the {@code listen()} backlog in force (the requested one capped by {@code somaxconn});
     *     null for systemd's, whose backlog is the .socket unit's
     * @param acceptQueueLength clients connected but not yet accepted, now; null if it cannot be read
     * @param file the file at the path now, or null if nothing is there
     * @param limits the listener's connection limits and header timeout
     * @param openConnections client connections it holds now
     * @param limitHits how often each limit was hit since the start
     */
    record SocketBody(
            String listener,
            Path path,
            String activation,
            Integer fd,
            String state,
            String configuredMode,
            String configuredGroup,
            Integer backlog,
            Integer requestedBacklog,
            Integer acceptQueueLength,
            Instant boundAt,
            Instant listeningAt,
            List<Transition> lifecycle,
            SocketFileStatus file,
            ConnectionLimiter.Limits limits,
            int openConnections,
            ConnectionLimiter.Hits limitHits) {}

    record Transition(String state, Instant at) {}
}
