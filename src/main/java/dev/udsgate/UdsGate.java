package dev.udsgate;

import dev.udsgate.api.ApiContext;
import dev.udsgate.api.ApiHandler;
import dev.udsgate.api.ApiRoutes;
import dev.udsgate.config.GatewayConfig;
import dev.udsgate.config.ListenerConfig;
import dev.udsgate.connections.ConnectionLimiter;
import dev.udsgate.connections.ConnectionRegistry;
import dev.udsgate.events.EventLog;
import dev.udsgate.events.Occurrence;
import dev.udsgate.gateway.GatewayRouter;
import dev.udsgate.gateway.RouteRegistry;
import dev.udsgate.gateway.fast.ChannelHost;
import dev.udsgate.gateway.fast.FastPath;
import dev.udsgate.http.ProblemErrorHandler;
import dev.udsgate.http.RequestRules;
import dev.udsgate.peer.PeerReader;
import dev.udsgate.peer.ProcFs;
import dev.udsgate.socket.InheritedSocket;
import dev.udsgate.socket.InheritedSockets;
import dev.udsgate.socket.ListenerConnector;
import dev.udsgate.socket.ListenerStartException;
import dev.udsgate.socket.OutgoingConnection;
import dev.udsgate.socket.UnixListener;
import dev.udsgate.system.BuildInfo;
import dev.udsgate.system.RequestCounter;
import dev.udsgate.system.ServerThreadPool;
import dev.udsgate.system.UserDirectory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.HostPort;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One udsgate: its listeners, the API and the gateway behind them. Owns start and stop.
 *
 * <p>Request flow: listener connector → request counter → graceful-stop tracking → request rules → API
 * (reserved paths) → gateway (everything else).
 */
public final class UdsGate {

    private static final Logger LOG = LoggerFactory.getLogger(UdsGate.class);

    /**
     * While stopping, a connection idle this long is closed. Jetty's 1 s would hold every stop for
     * a second per idle keep-alive client; a request in flight is not cut by it.
     */
    private static final Duration SHUTDOWN_IDLE_TIMEOUT = Duration.ofMillis(100);

    private static final Duration MAX_HEARTBEAT_INTERVAL = Duration.ofSeconds(15);

    /**
     * Only for measuring what the connection registry costs ({@code bench/ping.sh}): with
     * {@code -Dudsgate.trackConnections=false}, /v1/connections stays empty and no connection events
     * are logged.
     */
    private static final boolean TRACK_CONNECTIONS =
            Boolean.parseBoolean(System.getProperty("udsgate.trackConnections", "true"));

    private final GatewayConfig config;
    private final Server server;
    private final List<UnixListener> listeners = new ArrayList<>();
    private final List<ListenerConnector> connectors = new ArrayList<>();
    private final EventLog events;
    private final ConnectionRegistry connections;
    private final UserDirectory users = new UserDirectory();
    private final GatewayRouter gateway;
    private final RouteRegistry routes;
    private volatile StopResult stopped;
    /** Set once the handlers are in place: whether all of them are non-blocking. */
    private volatile boolean completesInline;

    public UdsGate(GatewayConfig config) {
        this(config, InheritedSockets.none());
    }

    /**
     * @param inherited sockets systemd passed in (socket activation): a listener serves the one of
     *     its name instead of binding; one that no listener takes fails the start
     */
    public UdsGate(GatewayConfig config, InheritedSockets inherited) {
        this.config = config;
        this.events = new EventLog(config.history().events(), config.history().subscriberQueue());
        PeerReader peers = PeerReader.best(users, ProcFs.system());
        this.connections =
                new ConnectionRegistry(events, peers, config.history().closedConnections());
        QueuedThreadPool threads = new ServerThreadPool();
        threads.setName("udsgate");
        // Daemon threads: a failed start must not keep the process alive.
        threads.setDaemon(true);
        this.server = new Server(threads, new ScheduledExecutorScheduler("udsgate-scheduler", true), null);
        server.setStopTimeout(config.shutdownTimeout().toMillis());
        server.setErrorHandler(new ProblemErrorHandler());

        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // A request without Host (HTTP/1.0) gets this authority; left unset, Jetty would take the
        // socket's private bind path for it, refuse the request and log that path.
        http.setServerAuthority(new HostPort("localhost"));
        for (var listenerConfig : config.listeners()) {
            Optional<InheritedSocket> socket = inherited.take(listenerConfig.name());
            String path = socket.map(InheritedSocket::path)
                    .orElse(listenerConfig.socketPath())
                    .toString();
            UnixListener listener = new UnixListener(
                    listenerConfig,
                    socket,
                    transition -> events.publish(new Occurrence.ListenerEntered(
                            listenerConfig.name(), transition.state().label(), path)));
            ConnectionLimiter limiter = connections.limit(listener, listenerConfig.limits(), config.headerTimeout());
            ListenerConnector connector =
                    new ListenerConnector(server, listener, limiter, peers, limiter.httpConnections(http));
            connector.setIdleTimeout(config.idleTimeout().toMillis());
            connector.setShutdownIdleTimeout(SHUTDOWN_IDLE_TIMEOUT.toMillis());
            if (TRACK_CONNECTIONS) {
                connector.addEventListener(connections.watch(listener));
            }
            server.addConnector(connector);
            listeners.add(listener);
            connectors.add(connector);
        }
        inherited.requireAllTaken(
                config.listeners().stream().map(ListenerConfig::name).toList());

        this.gateway = new GatewayRouter(
                server,
                events,
                TRACK_CONNECTIONS ? connections : null,
                config.fastPath() ? fastPath() : null,
                config.listeners().stream().collect(Collectors.toMap(ListenerConfig::name, ListenerConfig::exposure)));
        this.routes = new RouteRegistry(
                config.routes(),
                config.stateFile(),
                events,
                gateway,
                listeners.stream().map(UnixListener::path).toList());
        RequestCounter requests = new RequestCounter(null);
        ApiContext context = new ApiContext(
                BuildInfo.current(),
                Instant.now(),
                requests,
                connections,
                events,
                users,
                routes,
                gateway,
                heartbeat(config),
                connectors);
        requests.setHandler(new GracefulHandler(new RequestRules(new ApiHandler(ApiRoutes.table(context), gateway))));
        routes.load();
        server.setHandler(requests);
        completesInline = server.getInvocationType() == InvocationType.NON_BLOCKING;
    }

    /**
     * The gateway's fast transport, handed what it needs: its upstream connections live on the
     * selectors of the listener each request came through, and an exchange completes inline
     * ({@link ServerThreadPool#completeInline}) when every handler is non-blocking, since the
     * client's next request is then read on the thread that completed this one.
     */
    private FastPath fastPath() {
        ChannelHost onListener = (request, channel, outgoing) -> {
            if (!(request.getConnectionMetaData().getConnector() instanceof ListenerConnector listener)) {
                return false;
            }
            listener.dial(channel, new OutgoingConnection() {
                @Override
                public Connection newConnection(EndPoint endPoint) {
                    return outgoing.newConnection(endPoint);
                }

                @Override
                public void connectFailed(Throwable failure) {
                    outgoing.connectFailed(failure);
                }
            });
            return true;
        };
        return new FastPath(
                onListener,
                completion -> {
                    if (completesInline) {
                        ServerThreadPool.completeInline(completion);
                    } else {
                        completion.run();
                    }
                },
                server.getScheduler(),
                server.getByteBufferPool(),
                server.getThreadPool());
    }

    /** Event streams write something this often when quiet: within the idle timeout, or it would close them. */
    private static Duration heartbeat(GatewayConfig config) {
        Duration half = config.idleTimeout().dividedBy(2);
        return half.compareTo(MAX_HEARTBEAT_INTERVAL) < 0 ? half : MAX_HEARTBEAT_INTERVAL;
    }

    public List<UnixListener> listeners() {
        return List.copyOf(listeners);
    }

    /**
     * Binds every listener and starts serving. On failure everything started is stopped again and
     * the reason is thrown.
     */
    public void start() {
        try {
            server.start();
        } catch (Exception e) {
            stopAfterFailedStart();
            if (e instanceof ListenerStartException startFailure) {
                throw startFailure;
            }
            throw new ListenerStartException("cannot start: " + e.getMessage(), e);
        }
    }

    /**
     * Stops accepting, withdraws the socket files, lets requests in flight finish within the
     * shutdown timeout, then closes every connection. Safe to call more than once.
     */
    public synchronized StopResult stop() {
        if (stopped != null) {
            return stopped;
        }
        long began = System.nanoTime();
        connections.shuttingDown();
        // Event streams never end by themselves: end them, or the graceful stop would wait for them.
        events.publish(new Occurrence.ServerStopping(config.shutdownTimeout().toMillis()));
        events.endSubscriptions();
        List<Throwable> problems = new ArrayList<>();
        boolean graceful = true;
        try {
            server.stop();
        } catch (Exception e) {
            graceful = !causedByTimeout(e);
            problems.add(e);
        }
        stopped = new StopResult(graceful, Duration.ofNanos(System.nanoTime() - began), problems);
        return stopped;
    }

    private void stopAfterFailedStart() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.debug("stop after failed start", e);
        }
        stopped = new StopResult(true, Duration.ZERO, List.of());
    }

    private static boolean causedByTimeout(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return true;
            }
            for (Throwable suppressed : t.getSuppressed()) {
                if (causedByTimeout(suppressed)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * How a stop went.
     *
     * @param graceful true if every request in flight finished before the deadline
     * @param took how long the stop took
     * @param problems anything that failed along the way, collected rather than thrown halfway
     */
    public record StopResult(boolean graceful, Duration took, List<Throwable> problems) {
        public StopResult {
            problems = List.copyOf(problems);
        }
    }
}
