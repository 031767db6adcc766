package dev.udsgate.api;

import dev.udsgate.config.ConfigFileLoader;
import dev.udsgate.config.Exposure;
import dev.udsgate.config.ListenerConfig;
import dev.udsgate.connections.ConnectionLimiter;
import dev.udsgate.connections.ConnectionRegistry;
import dev.udsgate.events.EventLog;
import dev.udsgate.events.Occurrence;
import dev.udsgate.http.ProblemException;
import dev.udsgate.socket.InheritedSocket;
import dev.udsgate.socket.ListenerConnector;
import dev.udsgate.socket.ListenerState;
import dev.udsgate.socket.SocketFile.SocketFileStatus;
import dev.udsgate.socket.UnixListener;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code /v1/sockets} and {@code /v1/socket}: the listeners and their socket files, as the kernel
 * and filesystem see them now; {@code /v1/socket} is the one the caller came through.
 */
final class SocketEndpoints {

    /** {@code activation}: udsgate bound the socket itself. */
    static final String BOUND = "bound";
    /** {@code activation}: systemd bound it and passed it in (socket activation). */
    static final String SYSTEMD = "systemd";

    private final ConnectionRegistry connections;
    private final Supplier<List<ListenerConnector>> listeners;
    private final EventLog events;

    SocketEndpoints(ConnectionRegistry connections, Supplier<List<ListenerConnector>> listeners, EventLog events) {
        this.connections = connections;
        this.listeners = listeners;
        this.events = events;
    }

    Reply socket(ApiCall call) {
        return Reply.json(body(ListenerConnector.serving(call.request())));
    }

    Reply list(ApiCall call) {
        return Reply.json(listeners.get().stream().map(this::body).toList());
    }

    Reply get(ApiCall call) {
        return Reply.json(body(named(call.pathParameter("name"))));
    }

    /** The live file's mode and group, changed at once; connections stay. */
    Reply patch(ApiCall call) {
        ListenerConnector connector = named(call.pathParameter("name"));
        ConfigFileLoader.PermissionChange change = ConfigFileLoader.apiPermissions(JsonBody.text(call));
        UnixListener listener = connector.listener();
        ListenerConfig now = listener.changePermissions(change.mode(), change.group());
        events.publish(new Occurrence.ListenerPermissionsChanged(
                listener.name(),
                listener.path().toString(),
                now.mode().octal(),
                now.group().orElse(null),
                connections.userOf(call.connection()).orElse(null)));
        return Reply.json(body(connector));
    }

    private ListenerConnector named(String name) {
        List<ListenerConnector> listeners = this.listeners.get();
        return listeners.stream()
                .filter(connector -> connector.listener().name().equals(name))
                .findFirst()
                .orElseThrow(() -> ProblemException.notFound("no listener named " + name + "; the listeners are "
                        + String.join(
                                ", ",
                                listeners.stream()
                                        .map(connector -> connector.listener().name())
                                        .toList())));
    }

    private SocketBody body(ListenerConnector connector) {
        UnixListener listener = connector.listener();
        listener.checkPath();
        ConnectionLimiter.Status limits =
                connections.limiter(listener.name()).orElseThrow().status();
        Exposure exposure = listener.config().exposure();
        // A socket systemd passed in has the .socket unit's mode, group and backlog, not udsgate's.
        boolean bound = listener.inherited().isEmpty();
        return new SocketBody(
                listener.name(),
                listener.path(),
                bound ? BOUND : SYSTEMD,
                listener.inherited().map(InheritedSocket::fd).orElse(null),
                listener.state().label(),
                bound ? listener.config().mode().octal() : null,
                bound ? listener.config().group().orElse(null) : null,
                bound ? listener.effectiveBacklog() : null,
                bound ? listener.config().backlog() : null,
                connector.acceptQueueLength().stream().boxed().findFirst().orElse(null),
                listener.enteredAt(ListenerState.BOUND).orElse(null),
                listener.enteredAt(ListenerState.LISTENING).orElse(null),
                listener.lifecycle().stream()
                        .map(t -> new Transition(t.state().label(), t.at()))
                        .toList(),
                listener.fileStatus().orElse(null),
                limits.limits(),
                limits.open(),
                limits.hits(),
                new Offers(
                        exposure.api().label(),
                        exposure.routes()
                                .map(routes -> routes.stream().sorted().toList())
                                .orElse(null),
                        exposure.metrics()));
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
     * @param offers what the listener offers of the API and the gateway
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
            ConnectionLimiter.Hits limitHits,
            Offers offers) {}

    /**
     * @param api {@code full}, {@code read-only} or {@code none}
     * @param routes the routes offered, by name; null: all of them
     * @param metrics whether {@code GET /metrics} answers on it
     */
    record Offers(String api, List<String> routes, boolean metrics) {}

    record Transition(String state, Instant at) {}
}
