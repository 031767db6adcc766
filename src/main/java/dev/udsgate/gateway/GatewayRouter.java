package dev.udsgate.gateway;

import dev.udsgate.config.CanonicalPath;
import dev.udsgate.config.RouteConfig;
import dev.udsgate.config.UpstreamAddress;
import dev.udsgate.connections.ConnectionRegistry;
import dev.udsgate.events.EventLog;
import dev.udsgate.gateway.upgrade.UpgradeProxy;
import dev.udsgate.http.ProblemException;
import dev.udsgate.http.ProblemKind;
import dev.udsgate.http.ProblemWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway: sends each request to the route that matches its host and path, or answers "no
 * route". The route table is one volatile reference, read without a lock on every request and
 * replaced whole when routes change.
 */
public final class GatewayRouter extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayRouter.class);

    /** A removed or replaced route keeps serving what it has in flight for at most this long. */
    private static final Duration RETIRE_AFTER_MAX = Duration.ofSeconds(60);

    private final Server server;
    private final EventLog events;
    private final IdentityHeaders identity;
    private final Handler noRoute = new NoRoute();
    private final LoopGuard loopGuard = new LoopGuard();
    /** Requests that ask to switch protocols, and the tunnels they become. */
    private final UpgradeProxy upgrades;

    private volatile RouteTable table = RouteTable.EMPTY;
    /** Replaced routes finishing their requests; their proxies' selectors run on the server's pool until stopped. */
    private final Set<RouteRuntime> retiring = ConcurrentHashMap.newKeySet();

    /** @param connections whose peers' identities go upstream in headers; null: none (untracked) */
    public GatewayRouter(Server server, EventLog events, ConnectionRegistry connections) {
        this.server = server;
        this.events = events;
        this.identity = new IdentityHeaders(connections);
        this.upgrades = new UpgradeProxy(UpgradeProxy.connectorFor(server));
        addBean(upgrades);
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
        RouteRuntime route = table.match(uri.getHost(), path);
        if (route == null) {
            return noRoute.handle(request, response, callback);
        }
        String upstreamPath = route.upstreamPath(path);
        String query = uri.getQuery();
        if (RouteUpgrade.fits(request)) {
            return RouteUpgrade.forward(upgrades, route, request, response, callback, upstreamPath, query);
        }
        return route.proxy().forward(request, response, callback, upstreamPath, query);
    }

    /** A client's mistake: one problem answer, no stack trace, no log line above debug. */
    private static boolean refuse(Request request, Response response, Callback callback, ProblemException problem) {
        LOG.debug("{} {}: {}", request.getMethod(), request.getHttpURI().getPath(), problem.getMessage());
        ProblemWriter.write(request, response, callback, problem);
        return true;
    }

    /** Serves {@code routes} from now on; routes that changed or went are stopped once their requests are done. */
    public synchronized void install(List<RouteConfig> routes) {
        RouteTable old = table;
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
                            identity);
                    if (isStarted()) {
                        fresh.start();
                    }
                    return fresh;
                })
                .toList();
        table = new RouteTable(next);
        old.routes().stream().filter(route -> !next.contains(route)).forEach(this::retire);
    }

    public List<Upstream> upstreams() {
        return table.routes().stream()
                .flatMap(route -> route.upstreams().stream())
                .toList();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        table.routes().forEach(RouteRuntime::start);
    }

    @Override
    protected void doStop() throws Exception {
        table.routes().forEach(RouteRuntime::stop);
        retiring.forEach(this::stopRetired);
        super.doStop();
    }

    private void retire(RouteRuntime route) {
        // Its health checks end now; only its requests in flight may take their time.
        route.stopHealthChecks();
        if (!isStarted()) {
            route.stop();
            return;
        }
        Duration grace = route.config().responseTimeout().isZero()
                        || route.config().responseTimeout().compareTo(RETIRE_AFTER_MAX) > 0
                ? RETIRE_AFTER_MAX
                : route.config().responseTimeout();
        retiring.add(route);
        server.getScheduler().schedule(() -> stopRetired(route), grace.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void stopRetired(RouteRuntime route) {
        if (retiring.remove(route)) {
            route.stop();
        }
    }

    private static Map<UpstreamAddress, Upstream> upstreamsOf(RouteRuntime previous) {
        Map<UpstreamAddress, Upstream> upstreams = new HashMap<>();
        if (previous != null) {
            previous.upstreams().forEach(upstream -> upstreams.put(upstream.address(), upstream));
        }
        return upstreams;
    }
}
