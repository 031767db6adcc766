package dev.udsgate.gateway;

import dev.udsgate.config.CanonicalPath;
import dev.udsgate.config.Exposure;
import dev.udsgate.config.RouteConfig;
import dev.udsgate.config.RouteRules;
import dev.udsgate.config.UpstreamAddress;
import dev.udsgate.connections.ConnectionRegistry;
import dev.udsgate.events.EventLog;
import dev.udsgate.gateway.upgrade.UpgradeProxy;
import dev.udsgate.http.ProblemException;
import dev.udsgate.http.ProblemKind;
import dev.udsgate.http.ProblemWriter;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
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
     * Every route, and the tables of the listeners that offer only some, by listener name (a
     * listener not there offers every route): replaced together.
     */
    private record Tables(RouteTable all, Map<String, RouteTable> byListener) {}

    /**
     * @param connections whose peers' identities go upstream in headers; null: none (untracked)
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
        new RoutedExchange(transports, route, request, response, callback, route.upstreamPath(path), uri.getQuery())
                .start();
        return true;
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
    public synchronized void install(List<RouteConfig> routes) {
        RouteTable old = tables.all();
        Map<String, RouteRuntime> oldByName =
                old.routes().stream().collect(Collectors.toMap(RouteRuntime::name, Function.identity()));
        List<RouteRuntime> next = routes.stream()
                .map(config -> {
                    RouteRuntime previous = oldByName.get(config.name());
                    if (previous != null && previous.config().equals(config)) {
                        return previous;
                    }
                    // Upstreams keep their counters and health across a change, unless the health check
                    // changed: then health starts afresh (an upstream must not stay marked down by a
                    // check that no longer exists).
                    boolean sameCheck =
                            previous != null && previous.config().healthCheck().equals(config.healthCheck());
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
                })
                .toList();
        tables = tables(next);
        Set<RouteRuntime> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        kept.addAll(next);
        old.routes().stream().filter(route -> !kept.contains(route)).forEach(RouteRuntime::stop);
    }

    /**
     * What each listener offers is now this, by listener name (a reload added, removed or changed
     * listeners): their tables are rebuilt from the routes served now, which are kept as they are.
     */
    public synchronized void offer(Map<String, Exposure> listeners) {
        offeredRoutes = offered(listeners);
        tables = tables(tables.all().routes());
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
                new RouteTable(routes.stream()
                        .filter(route -> names.contains(route.name()))
                        .toList())));
        return new Tables(new RouteTable(routes), Map.copyOf(restricted));
    }

    public List<Upstream> upstreams() {
        return tables.all().routes().stream()
                .flatMap(route -> route.upstreams().stream())
                .toList();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        tables.all().routes().forEach(RouteRuntime::start);
    }

    @Override
    protected void doStop() throws Exception {
        tables.all().routes().forEach(RouteRuntime::stop);
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
