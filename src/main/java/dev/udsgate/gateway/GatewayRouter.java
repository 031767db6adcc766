package dev.udsgate.gateway;

import dev.udsgate.config.CanonicalPath;
import dev.udsgate.config.Exposure;
import dev.udsgate.config.RouteConfig;
import dev.udsgate.config.RouteRules;
import dev.udsgate.config.UpstreamAddress;
import dev.udsgate.connections.ConnectionRegistry;
import dev.udsgate.events.EventLog;
import dev.udsgate.gateway.upgrade.UpgradeProxy;
import dev.udsgate.http.AccessLog;
import dev.udsgate.http.ProblemException;
import dev.udsgate.http.ProblemKind;
import dev.udsgate.http.ProblemWriter;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway: sends each request to the route that matches its host and path, or answers "no
 * route". The route tables are one volatile reference, read without a lock on every request and
 * replaced whole when routes change.
 */
public final class GatewayRouter extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayRouter.class);

    private final Server server;
    private final EventLog events;
    private final IdentityHeaders identity;
    private final Handler noRoute = new NoRoute();
    private final JettyProxy jetty;
    private final RoutedExchange.Transports transports;
    private final LoopGuard loopGuard = new LoopGuard();

    /** Per listener that offers only some routes, by listener name: the names it offers. */
    private Map<String, Set<String>> offeredRoutes;

    private volatile Tables tables = new Tables(RouteTable.EMPTY, Map.of());
    /**
     * Every route by name, in the order given (configuration, then the API's additions): changed
     * with the tables, under this router's lock; read by listings.
     */
    private final Map<String, RouteRuntime> routes = Collections.synchronizedMap(new LinkedHashMap<>());

    /**
     * Every route, and the tables of the listeners that offer only some, by listener name (a
     * listener not there offers every route): replaced together.
     */
    private record Tables(RouteTable all, Map<String, RouteTable> byListener) {}

    /**
     * @param connections whose peers' identities go upstream in headers (an untracked connection's: none)
     * @param fastPath the fast transport for requests that fit it; null: every request takes Jetty's proxy
     * @param listeners what each listener offers, by listener name: a route one does not offer is, on
     *     that listener, as if it did not exist
     */
    public GatewayRouter(
            Server server,
            EventLog events,
            ConnectionRegistry connections,
            FastTransport fastPath,
            Map<String, Exposure> listeners) {
        this.server = server;
        this.events = events;
        this.identity = new IdentityHeaders(connections);
        this.offeredRoutes = offered(listeners);
        // One selector for every route and both of these transports, started and stopped with the gateway.
        ClientConnector connector = clientConnector(server);
        this.jetty = new JettyProxy(server, connector);
        UpgradeProxy upgrades = new UpgradeProxy(connector);
        this.transports = new RoutedExchange.Transports(fastPath, jetty, upgrades);
        addBean(jetty, true);
        addBean(upgrades, true);
    }

    /** On the server's threads, with one selector: upstreams are local, and few connections are new. */
    private static ClientConnector clientConnector(Server server) {
        ClientConnector connector = new ClientConnector();
        connector.setExecutor(server.getThreadPool());
        connector.setScheduler(server.getScheduler());
        connector.setByteBufferPool(server.getByteBufferPool());
        connector.setSelectors(1);
        // A ceiling only: each request's route sets its own.
        connector.setConnectTimeout(RouteRules.MAX_CONNECT_TIMEOUT);
        return connector;
    }

    /** Routing is a lookup and proxying is asynchronous: nothing here blocks. */
    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    /**
     * Refuses what no route may take (CONNECT and TRACE, a request that looped back, a path that
     * could be read two ways), then matches the request's canonical path, and forwards exactly
     * that path (less a stripped prefix) on either transport.
     */
    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String method = request.getMethod();
        if (ForwardingRules.refusesMethod(method)) {
            return refuse(
                    request,
                    response,
                    callback,
                    ProblemException.methodNotAllowed(method, "the gateway", ForwardingRules.ALLOWED_METHODS));
        }
        if (loopGuard.seenIn(request.getHeaders())) {
            return refuse(
                    request,
                    response,
                    callback,
                    new ProblemException(
                            ProblemKind.LOOP_DETECTED,
                            "this request has been through this udsgate before (its Via says so): a route leads back"
                                    + " to udsgate's own socket"));
        }
        HttpURI uri = request.getHttpURI();
        String path;
        try {
            path = CanonicalPath.of(uri.getPath());
        } catch (CanonicalPath.Refused refused) {
            return refuse(request, response, callback, ProblemException.badRequest(refused.getMessage()));
        }
        RouteRuntime route = tableFor(request).match(uri.getHost(), path);
        if (route == null) {
            return noRoute.handle(request, response, callback);
        }
        request.setAttribute(AccessLog.ROUTE, route.name());
        new RoutedExchange(transports, route, request, response, callback, route.upstreamPath(path), uri.getQuery())
                .start();
        return true;
    }

    /**
     * The name of the route that would take this request, whose canonical path is {@code path}: for
     * access rules that name routes, matched as {@link #handle} matches it; empty when none would.
     */
    public java.util.Optional<String> routeNameFor(Request request, String path) {
        RouteRuntime route = tableFor(request).match(request.getHttpURI().getHost(), path);
        return route == null ? java.util.Optional.empty() : java.util.Optional.of(route.name());
    }

    /** The routes the request's listener offers. */
    private RouteTable tableFor(Request request) {
        Tables now = tables;
        if (now.byListener().isEmpty()) {
            return now.all();
        }
        RouteTable own = now.byListener()
                .get(request.getConnectionMetaData().getConnector().getName());
        return own == null ? now.all() : own;
    }

    /** A client's mistake: one problem answer, no stack trace, no log line above debug. */
    private static boolean refuse(Request request, Response response, Callback callback, ProblemException problem) {
        LOG.debug("{} {}: {}", request.getMethod(), request.getHttpURI().getPath(), problem.getMessage());
        ProblemWriter.write(request, response, callback, problem);
        return true;
    }

    /**
     * Serves {@code routes} from now on. Routes that changed or went stop their health checks at
     * once; requests they have in flight finish on their own, since a route holds nothing they need.
     * Costs one lookup per route: unchanged routes are kept as they are.
     */
    public synchronized void install(List<RouteConfig> configs) {
        Map<String, RouteRuntime> old = Map.copyOf(routes);
        List<RouteRuntime> next = configs.stream()
                .map(config -> runtimeFor(config, old.get(config.name())))
                .toList();
        tables = tables(next);
        routes.clear();
        next.forEach(route -> routes.put(route.name(), route));
        Set<RouteRuntime> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        kept.addAll(next);
        old.values().stream().filter(route -> !kept.contains(route)).forEach(RouteRuntime::stop);
    }

    /**
     * Serves {@code route} from now on, in place of the route of its name if there is one: the
     * change of one route costs about the same whatever the number of routes ({@link RouteTable#with}).
     */
    public synchronized void put(RouteConfig route) {
        RouteRuntime previous = routes.get(route.name());
        RouteRuntime next = runtimeFor(route, previous);
        if (next == previous) {
            return;
        }
        Tables now = tables;
        Map<String, RouteTable> restricted = new HashMap<>(now.byListener());
        offeredRoutes.forEach((listener, names) -> {
            if (names.contains(route.name())) {
                restricted.put(
                        listener,
                        restricted.getOrDefault(listener, RouteTable.EMPTY).with(next, previous));
            }
        });
        tables = new Tables(now.all().with(next, previous), Map.copyOf(restricted));
        routes.put(route.name(), next);
        if (previous != null) {
            previous.stop();
        }
    }

    /** Stops serving the route of this name, if there is one. */
    public synchronized void remove(String name) {
        RouteRuntime previous = routes.remove(name);
        if (previous == null) {
            return;
        }
        Tables now = tables;
        Map<String, RouteTable> restricted = new HashMap<>(now.byListener());
        offeredRoutes.forEach((listener, names) -> {
            if (names.contains(name)) {
                restricted.put(listener, restricted.get(listener).without(previous));
            }
        });
        tables = new Tables(now.all().without(previous), Map.copyOf(restricted));
        previous.stop();
    }

    /** The route as {@code config} says, reusing {@code previous} when nothing changed. */
    private RouteRuntime runtimeFor(RouteConfig config, RouteRuntime previous) {
        if (previous != null && previous.config().equals(config)) {
            return previous;
        }
        // Upstreams keep their counters and health across a change, unless the health check
        // changed: then health starts afresh (an upstream must not stay marked down by a check
        // that no longer exists).
        boolean sameCheck = previous != null && previous.config().healthCheck().equals(config.healthCheck());
        RouteRuntime fresh = new RouteRuntime(
                config,
                server,
                events,
                sameCheck ? upstreamsOf(previous) : Map.of(),
                loopGuard.viaHost(),
                identity,
                jetty);
        if (isStarted()) {
            fresh.start();
        }
        return fresh;
    }

    /**
     * What each listener offers is now this, by listener name (a reload added, removed or changed
     * listeners): their tables are rebuilt from the routes served now, which are kept as they are.
     */
    public synchronized void offer(Map<String, Exposure> listeners) {
        offeredRoutes = offered(listeners);
        tables = tables(routesNow());
    }

    private static Map<String, Set<String>> offered(Map<String, Exposure> listeners) {
        Map<String, Set<String>> offered = new HashMap<>();
        listeners.forEach((name, exposure) -> exposure.routes().ifPresent(routes -> offered.put(name, routes)));
        return Map.copyOf(offered);
    }

    private Tables tables(List<RouteRuntime> routes) {
        Map<String, RouteTable> restricted = new HashMap<>();
        offeredRoutes.forEach((listener, names) -> restricted.put(
                listener,
                RouteTable.of(routes.stream()
                        .filter(route -> names.contains(route.name()))
                        .toList())));
        return new Tables(RouteTable.of(routes), Map.copyOf(restricted));
    }

    public List<Upstream> upstreams() {
        return routesNow().stream().flatMap(route -> route.upstreams().stream()).toList();
    }

    private List<RouteRuntime> routesNow() {
        synchronized (routes) {
            return List.copyOf(routes.values());
        }
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        routesNow().forEach(RouteRuntime::start);
    }

    @Override
    protected void doStop() throws Exception {
        routesNow().forEach(RouteRuntime::stop);
        super.doStop();
    }

    private static Map<UpstreamAddress, Upstream> upstreamsOf(RouteRuntime previous) {
        Map<UpstreamAddress, Upstream> upstreams = new HashMap<>();
        if (previous != null) {
            previous.upstreams().forEach(upstream -> upstreams.put(upstream.address(), upstream));
        }
        return upstreams;
    }
}
