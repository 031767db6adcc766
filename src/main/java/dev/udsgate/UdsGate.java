package dev.udsgate;

import dev.udsgate.access.AccessHandler;
import dev.udsgate.access.CallerPolicies;
import dev.udsgate.api.ApiContext;
import dev.udsgate.api.ApiHandler;
import dev.udsgate.api.ApiRoutes;
import dev.udsgate.config.Exposure;
import dev.udsgate.config.FieldError;
import dev.udsgate.config.GatewayConfig;
import dev.udsgate.config.InvalidConfigException;
import dev.udsgate.config.ListenerConfig;
import dev.udsgate.connections.ConnectionLimiter;
import dev.udsgate.connections.ConnectionRegistry;
import dev.udsgate.events.EventLog;
import dev.udsgate.events.Occurrence;
import dev.udsgate.gateway.GatewayRouter;
import dev.udsgate.gateway.RouteRegistry;
import dev.udsgate.gateway.fast.ChannelHost;
import dev.udsgate.gateway.fast.FastPath;
import dev.udsgate.http.AccessLog;
import dev.udsgate.http.AccessLogWriter;
import dev.udsgate.http.ProblemErrorHandler;
import dev.udsgate.http.RequestRules;
import dev.udsgate.metrics.Metrics;
import dev.udsgate.peer.PeerReader;
import dev.udsgate.peer.ProcFs;
import dev.udsgate.reload.ConfigSource;
import dev.udsgate.reload.ConfigWatcher;
import dev.udsgate.reload.NothingToReloadException;
import dev.udsgate.reload.ReloadPlan;
import dev.udsgate.reload.ReloadRefusedException;
import dev.udsgate.reload.ReloadSummary;
import dev.udsgate.socket.InheritedSocket;
import dev.udsgate.socket.InheritedSockets;
import dev.udsgate.socket.ListenerConnector;
import dev.udsgate.socket.ListenerStartException;
import dev.udsgate.socket.OutgoingConnection;
import dev.udsgate.socket.PathOccupant;
import dev.udsgate.socket.SocketPathRules;
import dev.udsgate.socket.UnixListener;
import dev.udsgate.system.BuildInfo;
import dev.udsgate.system.RequestCounter;
import dev.udsgate.system.ServerThreadPool;
import dev.udsgate.system.UserDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.RequestLog;
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
 * <p>Request flow: listener connector → request counter → graceful-stop tracking → request rules → access
 * (the listener's rules on the peer's identity; admin writes) → API (reserved paths) → gateway
 * (everything else).
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
     * Only for measuring what identity tracking costs ({@code bench/ping.sh}), in one process so
     * that nothing else differs: the connections of the listeners named in
     * {@code -Dudsgate.untrackedListeners=NAME,...} are not in the registry (nor in /v1/connections)
     * and have no connection events.
     */
    private static final Set<String> UNTRACKED_LISTENERS =
            Set.of(System.getProperty("udsgate.untrackedListeners", "").split(","));

    /** The configuration in force: the one started with, then each reload's. */
    private volatile GatewayConfig config;
    /** Where a reload reads the configuration again; empty: started without a file, nothing to reload. */
    private final Optional<ConfigSource> source;

    private final Server server;
    private final HttpConfiguration http;
    private final PeerReader peers;
    /** In configuration order; replaced whole by a reload, read without a lock by the API. */
    private volatile List<ListenerConnector> connectors;

    private final EventLog events;
    private final ConnectionRegistry connections;
    private final UserDirectory users = new UserDirectory();
    private final GatewayRouter gateway;
    private final RouteRegistry routes;
    private final Metrics metrics;
    /**
     * Reloads when the file's content changes: started once the server is, so that no reload runs
     * while listeners start, and stopped first, so that none starts while they stop.
     */
    private final Optional<ConfigWatcher> watcher;

    private volatile StopResult stopped;
    /** Set once the handlers are in place: whether all of them are non-blocking. */
    private volatile boolean completesInline;

    public UdsGate(GatewayConfig config) {
        this(config, InheritedSockets.none(), Optional.empty());
    }

    /** @param source where {@link #reload} reads the configuration again; empty: it answers there is nothing to reload */
    public UdsGate(GatewayConfig config, Optional<ConfigSource> source) {
        this(config, InheritedSockets.none(), source);
    }

    /**
     * @param inherited sockets systemd passed in (socket activation): a listener serves the one of
     *     its name instead of binding; one that no listener takes fails the start
     * @param source where {@link #reload} reads the configuration again; empty: it answers there is nothing to reload
     */
    public UdsGate(GatewayConfig config, InheritedSockets inherited, Optional<ConfigSource> source) {
        this.config = config;
        this.source = source;
        this.events = new EventLog(config.history().events(), config.history().subscriberQueue());
        this.peers = PeerReader.best(users, ProcFs.system());
        this.connections =
                new ConnectionRegistry(events, peers, config.history().closedConnections());
        QueuedThreadPool threads = new ServerThreadPool();
        threads.setName("udsgate");
        // Daemon threads: a failed start must not keep the process alive.
        threads.setDaemon(true);
        this.server = new Server(threads, new ScheduledExecutorScheduler("udsgate-scheduler", true), null);
        server.setStopTimeout(config.shutdownTimeout().toMillis());
        server.setErrorHandler(new ProblemErrorHandler());
        this.metrics = new Metrics(events);
        server.setRequestLog(config.accessLog()
                .<RequestLog>map(format -> new RequestLog.Collection(
                        metrics,
                        new AccessLog(
                                format,
                                accessLogWriter()::write,
                                connection -> connections
                                        .peerOf(connection)
                                        .map(peer -> new AccessLog.ConnectionFacts(
                                                peer.connectionId(),
                                                peer.identity().user().id())))))
                .orElse(metrics));

        this.http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // A request without Host (HTTP/1.0) gets this authority; left unset, Jetty would take the
        // socket's private bind path for it, refuse the request and log that path.
        http.setServerAuthority(new HostPort("localhost"));
        this.connectors = config.listeners().stream()
                .map(listener -> connector(listener, inherited.take(listener.name())))
                .toList();
        inherited.requireAllTaken(
                config.listeners().stream().map(ListenerConfig::name).toList());
        connectors.forEach(server::addConnector);

        this.gateway = new GatewayRouter(
                server,
                events,
                connections,
                config.fastPath() ? fastPath() : null,
                config.listeners().stream().collect(Collectors.toMap(ListenerConfig::name, ListenerConfig::exposure)));
        this.routes = new RouteRegistry(
                config.routes(),
                config.stateFile(),
                events,
                gateway,
                connectors.stream()
                        .map(connector -> connector.listener().path())
                        .toList());
        RequestCounter requests = new RequestCounter(null);
        CallerPolicies callers = new CallerPolicies(connections);
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
                () -> connectors,
                this::reload,
                () -> metrics.scrape(gateway.upstreams()),
                callers::accessOf);
        requests.setHandler(new GracefulHandler(new RequestRules(new AccessHandler(
                callers,
                gateway::routeNameFor,
                events,
                metrics.accessDenials(),
                new ApiHandler(ApiRoutes.table(context), gateway)))));
        routes.load();
        server.setHandler(requests);
        this.watcher = config.watchConfig()
                ? Optional.of(new ConfigWatcher(
                        source.flatMap(ConfigSource::file)
                                .orElseThrow(
                                        () -> new IllegalArgumentException("watchConfig needs a configuration file")),
                        this::reloadForChange))
                : Optional.empty();
        completesInline = server.getInvocationType() == InvocationType.NON_BLOCKING;
    }

    /**
     * One listener's socket and connector, not yet started: the same whether at start or by a reload.
     *
     * @param inherited the socket systemd passed in for it, if any (only at start)
     */
    /** The access log's writer, a bean of the server: stopped after its last request, its lines written. */
    private AccessLogWriter accessLogWriter() {
        AccessLogWriter writer = new AccessLogWriter(System.out, AccessLogWriter.QUEUE_LINES);
        server.addBean(writer);
        return writer;
    }

    private ListenerConnector connector(ListenerConfig listenerConfig, Optional<InheritedSocket> inherited) {
        String path = inherited
                .map(InheritedSocket::path)
                .orElse(listenerConfig.socketPath())
                .toString();
        UnixListener listener = new UnixListener(
                listenerConfig,
                inherited,
                transition -> events.publish(new Occurrence.ListenerEntered(
                        listenerConfig.name(), transition.state().label(), path)));
        ConnectionLimiter limiter = connections.limit(listener, listenerConfig.limits(), config.headerTimeout());
        ListenerConnector connector =
                new ListenerConnector(server, listener, limiter, peers, limiter.httpConnections(http));
        connector.setIdleTimeout(config.idleTimeout().toMillis());
        connector.setShutdownIdleTimeout(SHUTDOWN_IDLE_TIMEOUT.toMillis());
        if (!UNTRACKED_LISTENERS.contains(listenerConfig.name())) {
            connections.track(connector);
        }
        connector.addEventListener(metrics.listener(
                listenerConfig.name(), () -> OptionalInt.of(limiter.status().open())));
        return connector;
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
        return connectors.stream().map(ListenerConnector::listener).toList();
    }

    /**
     * Reads the configuration again and applies what changed; what did not change is not touched,
     * and open connections on a listener that stays stay open. A configuration that is not valid,
     * or that could not be applied whole (a route to one of the new sockets, a socket path that is
     * taken, too long or in no folder), is refused before anything changes.
     *
     * <p>Applied in this order: listeners that go (removed, or replaced by one with another path,
     * owner or backlog) withdraw their socket files at once and stop accepting, and their connections
     * close once their requests in flight are done (within the shutdown timeout), in the background;
     * kept listeners take their new mode, group and offer; the routes and what each listener offers of
     * them are installed; then new listeners start, each with the guarantees of a start. A listener
     * that fails only then (the kernel refused it something) is named in {@code failed}; the rest
     * stays applied.
     *
     * @param byUser who asked, for the event; empty for a signal
     * @throws NothingToReloadException if udsgate was started without a configuration file
     * @throws ReloadRefusedException if the configuration cannot be used; nothing was changed
     */
    public synchronized ReloadSummary reload(Optional<String> byUser) {
        ConfigSource from = source.orElseThrow(NothingToReloadException::new);
        if (stopped != null) {
            throw new IllegalStateException("udsgate is stopping: nothing was reloaded");
        }
        ReloadPlan plan;
        try {
            plan = ReloadPlan.between(config, from.read().get());
            List<FieldError> errors = check(plan);
            if (!errors.isEmpty()) {
                throw new InvalidConfigException(from.name(), errors);
            }
        } catch (InvalidConfigException invalid) {
            ReloadRefusedException refused = new ReloadRefusedException(invalid);
            LOG.warn("{}", refused.getMessage());
            events.publish(new Occurrence.ConfigReloadRefused(invalid.errors(), byUser.orElse(null)));
            throw refused;
        }
        plan.atNextStart()
                .forEach(key -> LOG.warn("{} changed in {}: takes effect at the next start", key, from.name()));
        ReloadSummary summary = plan.summary(apply(plan));
        LOG.info("reloaded {}: {}", from.name(), summary.describe());
        summary.failed().forEach(failure -> LOG.warn("reload: {}", failure));
        events.publish(new Occurrence.ConfigReloaded(summary, byUser.orElse(null)));
        return summary;
    }

    /** As SIGHUP does: a refusal is logged once by {@link #reload}, and the server stays as it was. */
    private void reloadForChange() {
        try {
            reload(Optional.empty());
        } catch (ReloadRefusedException refused) {
            // logged by reload
        }
    }

    /** Every reason the plan cannot be applied whole, each at the key path of what causes it. */
    private List<FieldError> check(ReloadPlan plan) {
        List<FieldError> errors = new ArrayList<>();
        Set<Path> withdrawn = new HashSet<>();
        plan.removed().forEach(listener -> withdrawn.add(listener.socketPath()));
        plan.replaced().forEach(change -> withdrawn.add(change.before().socketPath()));
        Set<String> toStart = new HashSet<>();
        plan.added().forEach(listener -> toStart.add(listener.name()));
        plan.replaced().forEach(change -> toStart.add(change.after().name()));
        List<ListenerConfig> next = plan.next().listeners();
        for (int i = 0; i < next.size(); i++) {
            ListenerConfig listener = next.get(i);
            if (toStart.contains(listener.name())) {
                String at = next.size() == 1 && listener.name().equals(ListenerConfig.MAIN)
                        ? "socket"
                        : "listeners[" + i + "].path";
                checkFreePath(listener.socketPath(), withdrawn, at, errors);
            }
        }
        errors.addAll(routes.check(
                plan.next().routes(),
                next.stream().map(ListenerConfig::socketPath).toList()));
        return errors;
    }

    /** A new socket's path: short enough, in a folder, and free (or about to be freed by this reload). */
    private static void checkFreePath(Path path, Set<Path> withdrawn, String at, List<FieldError> errors) {
        try {
            SocketPathRules.check(path);
        } catch (ListenerStartException tooLong) {
            errors.add(new FieldError(at, tooLong.getMessage()));
            return;
        }
        if (!Files.isDirectory(path.getParent())) {
            errors.add(new FieldError(
                    at, "cannot listen on " + path + ": its folder " + path.getParent() + " does not exist"));
            return;
        }
        if (withdrawn.contains(path)) {
            return;
        }
        PathOccupant occupant = PathOccupant.at(path);
        if (occupant != PathOccupant.NOTHING && occupant != PathOccupant.STALE_SOCKET) {
            errors.add(new FieldError(at, "cannot listen on " + path + ": " + occupant.describe(path)));
        }
    }

    /** @return what failed, one line each */
    private List<String> apply(ReloadPlan plan) {
        List<String> failed = new ArrayList<>();
        Map<String, ListenerConnector> running = new HashMap<>();
        connectors.forEach(connector -> running.put(connector.listener().name(), connector));
        plan.removed().forEach(listener -> retire(running.remove(listener.name())));
        plan.replaced().forEach(change -> retire(running.remove(change.before().name())));
        for (ReloadPlan.Change change : plan.changed()) {
            try {
                running.get(change.after().name()).listener().reconfigure(change.after());
            } catch (RuntimeException e) {
                failed.add("listener " + change.after().name() + " left as it was: " + e.getMessage());
            }
        }
        Map<String, Exposure> offers = new HashMap<>();
        plan.next()
                .listeners()
                .forEach(listener -> offers.put(
                        listener.name(),
                        running.containsKey(listener.name())
                                ? running.get(listener.name())
                                        .listener()
                                        .config()
                                        .exposure()
                                : listener.exposure()));
        gateway.offer(offers);
        routes.reconfigure(
                plan.next().routes(),
                plan.next().listeners().stream().map(ListenerConfig::socketPath).toList());
        List<ListenerConnector> next = new ArrayList<>();
        for (ListenerConfig listener : plan.next().listeners()) {
            ListenerConnector kept = running.get(listener.name());
            if (kept != null) {
                next.add(kept);
                continue;
            }
            try {
                next.add(startListener(listener));
            } catch (RuntimeException e) {
                failed.add("listener " + listener.name() + " not started: " + e.getMessage());
            }
        }
        connectors = List.copyOf(next);
        GatewayConfig applied = plan.next();
        if (!next.isEmpty()) {
            applied = new GatewayConfig(
                    next.stream()
                            .map(connector -> connector.listener().config())
                            .toList(),
                    applied.shutdownTimeout(),
                    applied.idleTimeout(),
                    applied.headerTimeout(),
                    applied.history(),
                    applied.routes(),
                    applied.stateFile(),
                    applied.fastPath(),
                    applied.accessLog(),
                    applied.logFormat(),
                    applied.watchConfig());
        }
        config = applied;
        return failed;
    }

    /** A listener added by a reload: made and started as at start, then stopped with the server. */
    private ListenerConnector startListener(ListenerConfig listenerConfig) {
        ListenerConnector connector = connector(listenerConfig, Optional.empty());
        server.addConnector(connector);
        try {
            connector.start();
        } catch (Exception e) {
            server.removeConnector(connector);
            try {
                connector.stop();
            } catch (Exception stopFailure) {
                e.addSuppressed(stopFailure);
            }
            throw e instanceof ListenerStartException startFailure
                    ? startFailure
                    : new ListenerStartException("cannot start: " + e.getMessage(), e);
        }
        // Added to a running server, it would be left out of the server's stop: it is the server's now.
        server.manage(connector);
        return connector;
    }

    /**
     * A listener a reload takes away: its socket file goes and it accepts no more at once, as at a
     * stop; its connections close as their requests in flight end, within the shutdown timeout, on a
     * thread of their own (the reload may have come through this very listener).
     */
    private void retire(ListenerConnector connector) {
        CompletableFuture<Void> drained = connector.shutdown();
        long timeoutMillis = config.shutdownTimeout().toMillis();
        Thread stopper = new Thread(
                () -> {
                    try {
                        drained.get(timeoutMillis, TimeUnit.MILLISECONDS);
                    } catch (TimeoutException e) {
                        LOG.warn(
                                "listener {}: requests still in flight after {} ms were cut off",
                                connector.listener().name(),
                                timeoutMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (ExecutionException e) {
                        LOG.debug(
                                "listener {}: while draining",
                                connector.listener().name(),
                                e);
                    }
                    server.removeConnector(connector);
                    try {
                        connector.stop();
                    } catch (Exception e) {
                        LOG.warn(
                                "listener {}: stop failed: {}",
                                connector.listener().name(),
                                e.toString());
                    }
                },
                "udsgate-retire-" + connector.listener().name());
        stopper.setDaemon(true);
        stopper.start();
    }

    /**
     * Binds every listener and starts serving. On failure everything started is stopped again and
     * the reason is thrown.
     */
    public void start() {
        connectors.forEach(connector -> connector.listener().checkBindable());
        try {
            server.start();
        } catch (Exception e) {
            stopAfterFailedStart();
            if (e instanceof ListenerStartException startFailure) {
                throw startFailure;
            }
            throw new ListenerStartException("cannot start: " + e.getMessage(), e);
        }
        try {
            if (watcher.isPresent()) {
                watcher.get().start();
            }
        } catch (Exception e) {
            stopAfterFailedStart();
            throw new ListenerStartException("cannot watch the configuration file: " + e.getMessage(), e);
        }
    }

    /**
     * Stops accepting, withdraws the socket files, lets requests in flight finish within the
     * shutdown timeout, then closes every connection. Safe to call more than once.
     */
    public StopResult stop() {
        List<Throwable> problems = new ArrayList<>();
        // Outside the lock: a reload the watcher began needs it to finish, and the watcher waits for that.
        try {
            if (watcher.isPresent()) {
                watcher.get().stop();
            }
        } catch (Exception e) {
            problems.add(e);
        }
        return stopServer(problems);
    }

    private synchronized StopResult stopServer(List<Throwable> problems) {
        if (stopped != null) {
            return stopped;
        }
        long began = System.nanoTime();
        connections.shuttingDown();
        // Event streams never end by themselves: end them, or the graceful stop would wait for them.
        events.publish(new Occurrence.ServerStopping(config.shutdownTimeout().toMillis()));
        events.endSubscriptions();
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
