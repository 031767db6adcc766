package dev.udsgate.gateway;

import dev.udsgate.config.HealthCheckConfig;
import dev.udsgate.events.EventLog;
import dev.udsgate.events.Occurrence;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.io.Transport;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks of one route's upstreams: a GET of the check path every interval, over the
 * route's own client, never blocking a thread while it waits. Thresholds decide when an upstream
 * leaves the rotation and when it comes back; each change is an event.
 */
final class HealthChecker {

    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

    private final RouteRuntime route;
    private final HealthCheckConfig check;
    private final Scheduler scheduler;
    private final EventLog events;
    private volatile boolean running;

    HealthChecker(RouteRuntime route, HealthCheckConfig check, Server server, EventLog events) {
        this.route = route;
        this.check = check;
        this.scheduler = server.getScheduler();
        this.events = events;
    }

    void start() {
        running = true;
        route.upstreams().forEach(this::checkSoon);
    }

    void stop() {
        running = false;
    }

    private void checkSoon(Upstream upstream) {
        if (running) {
            scheduler.schedule(() -> checkNow(upstream), check.interval().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void checkNow(Upstream upstream) {
        if (!running) {
            return;
        }
        String host =
                upstream.address().isUnix() ? "localhost" : upstream.address().host();
        int port = upstream.address().isUnix() ? 80 : upstream.address().port();
        Request request = route.proxy()
                .client()
                .newRequest(host, port)
                .path(check.path())
                .timeout(check.timeout().toMillis(), TimeUnit.MILLISECONDS);
        Transport transport = route.proxy().transportOf(upstream);
        if (transport != null) {
            request.transport(transport);
        }
        request.send(result -> {
            boolean ok;
            String seen;
            if (result.isFailed()) {
                ok = false;
                seen = describe(result.getFailure());
            } else {
                int status = result.getResponse().getStatus();
                ok = status >= 200 && status < 400;
                seen = Integer.toString(status);
            }
            record(upstream, ok, seen);
            checkSoon(upstream);
        });
    }

    private void record(Upstream upstream, boolean ok, String seen) {
        Boolean changed = upstream.checked(ok, seen, check.healthyThreshold(), check.unhealthyThreshold());
        if (changed == null || !running) {
            return;
        }
        events.publish(new Occurrence.UpstreamHealthChanged(
                route.name(), upstream.address().text(), seen, changed));
        if (changed) {
            LOG.info("route {}: upstream {} is healthy again ({})", route.name(), upstream.address(), seen);
        } else {
            LOG.warn(
                    "route {}: upstream {} is unhealthy ({}): out of rotation", route.name(), upstream.address(), seen);
        }
    }

    private static String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.util.concurrent.TimeoutException) {
                return "timeout";
            }
            if (t instanceof java.net.ConnectException
                    || String.valueOf(t.getMessage()).contains("refused")) {
                return "connection refused";
            }
            if (String.valueOf(t.getMessage()).contains("No such file")) {
                return "no socket";
            }
        }
        return "failed";
    }
}
