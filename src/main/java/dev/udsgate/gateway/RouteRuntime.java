package dev.udsgate.gateway;

import dev.udsgate.config.RouteConfig;
import dev.udsgate.config.UpstreamAddress;
import dev.udsgate.events.EventLog;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A route while it serves: its upstreams with their health and traffic, and its health checks. Data, not a component: it has no threads and nothing to start that can
 * fail, so any number of routes cost no more threads than one, and a change of routes is applied
 * whole.
 */
final class RouteRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(RouteRuntime.class);

    private final RouteConfig config;
    private final List<Upstream> upstreams;
    private final AtomicInteger next = new AtomicInteger();
    private final HealthChecker checker;
    private final String hostSuffix;
    private final String viaHost;
    private final IdentityHeaders identity;

    /**
     * @param viaHost the gateway's name in {@code Via}, with its loop-detection token ({@link LoopGuard})
     * @param identity the caller's identity, for the upstream
     * @param jetty whose one client the health checks use
     */
    RouteRuntime(
            RouteConfig config,
            Server server,
            EventLog events,
            Map<UpstreamAddress, Upstream> previous,
            String viaHost,
            IdentityHeaders identity,
            JettyProxy jetty) {
        this.config = config;
        this.viaHost = viaHost;
        this.identity = identity;
        this.upstreams = config.upstreams().stream()
                .map(address -> previous.getOrDefault(address, new Upstream(config.name(), address)))
                .toList();
        this.checker = config.healthCheck()
                .map(check -> new HealthChecker(this, check, jetty, server.getScheduler(), events))
                .orElse(null);
        this.hostSuffix = config.host()
                .filter(h -> h.startsWith("*."))
                .map(h -> h.substring(1))
                .orElse(null);
    }

    RouteConfig config() {
        return config;
    }

    String name() {
        return config.name();
    }

    List<Upstream> upstreams() {
        return upstreams;
    }

    String viaHost() {
        return viaHost;
    }

    IdentityHeaders identity() {
        return identity;
    }

    /** Starts the health checks, if the route has any: scheduled tasks, no thread of their own. */
    void start() {
        if (checker != null) {
            checker.start();
        }
    }

    /** Ends the health checks at once: a route replaced or deleted must not keep probing its upstreams. */
    void stop() {
        if (checker != null) {
            checker.stop();
        }
        LOG.debug("route {}: stopped", name());
    }

    /**
     * The next upstream in round robin among the healthy ones, skipping {@code tried}. When none is
     * healthy, any: a health check that is wrong must not take the whole route down (fail open).
     */
    Upstream pick(Upstream tried) {
        int size = upstreams.size();
        int start = Math.floorMod(next.getAndIncrement(), size);
        Upstream fallback = null;
        for (int i = 0; i < size; i++) {
            Upstream candidate = upstreams.get((start + i) % size);
            if (candidate == tried) {
                continue;
            }
            if (candidate.healthy()) {
                return candidate;
            }
            if (fallback == null) {
                fallback = candidate;
            }
        }
        return fallback;
    }

    /** Host matching: exact, or {@code *.suffix} for any host ending in {@code .suffix}; no host: any. */
    boolean matchesHost(String host) {
        if (config.host().isEmpty()) {
            return true;
        }
        if (host == null) {
            return false;
        }
        String lower = host.toLowerCase(Locale.ROOT);
        return hostSuffix != null
                ? lower.endsWith(hostSuffix) && lower.length() > hostSuffix.length()
                : lower.equals(config.host().get());
    }

    /**
     * Prefix matching on a segment boundary: {@code /api} takes {@code /api} and {@code /api/x}, not
     * {@code /apix}; on the request's canonical path ({@link dev.udsgate.config.CanonicalPath}),
     * the form the prefix is written in too.
     */
    boolean matchesPath(String path) {
        String prefix = config.pathPrefix();
        if (!path.startsWith(prefix)) {
            return false;
        }
        return prefix.endsWith("/") || path.length() == prefix.length() || path.charAt(prefix.length()) == '/';
    }

    /** The path sent upstream: the canonical path that matched, with the prefix removed when the route strips it. */
    String upstreamPath(String path) {
        if (!config.stripPrefix() || config.pathPrefix().equals("/")) {
            return path;
        }
        String rest = path.substring(Math.min(path.length(), config.pathPrefix().length()));
        return rest.startsWith("/") ? rest : "/" + rest;
    }

    /** More specific routes are tried first: exact host, then wildcard, then any; then longer prefixes. */
    int specificity() {
        int hostRank = config.host().isEmpty() ? 0 : hostSuffix != null ? 1 : 2;
        return hostRank * 100_000
                + (hostSuffix == null ? 0 : hostSuffix.length()) * 1000
                + config.pathPrefix().length();
    }
}
