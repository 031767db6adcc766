package dev.udsgate.gateway;

import dev.udsgate.config.HealthCheckConfig;
import dev.udsgate.events.EventLog;
import dev.udsgate.events.Occurrence;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks of one route's upstreams: a GET of the check path every interval, over the
 * gateway's one client, never blocking a thread while it waits. A failure is told as the
 * gateway's requests tell it ({@link UpstreamFailure}). Thresholds decide when an upstream
 * leaves the rotation and when it comes back; each change is an event.
 */
final class HealthChecker {

    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

    private final RouteRuntime route;
    private final HealthCheckConfig check;
    private final JettyProxy jetty;
    private final Scheduler scheduler;
    private final EventLog events;
    /** The check's path and query, parsed once by java.net.URI, which refuses CR, LF and spaces. */
    private final URI target;

    private final Set<Scheduler.Task> scheduled = ConcurrentHashMap.newKeySet();
    private final Set<Request> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean running;

    HealthChecker(RouteRuntime route, HealthCheckConfig check, JettyProxy jetty, Scheduler scheduler, EventLog events) {
        this.route = route;
        this.check = check;
        this.jetty = jetty;
        this.scheduler = scheduler;
        this.events = events;
        // RouteRules has checked the path already; this is the second lock on the same door.
        this.target = URI.create(check.path());
    }

    void start() {
        running = true;
        route.upstreams().forEach(this::checkSoon);
    }

    /** Stops at once: no check starts after this, and those under way are aborted and not counted. */
    void stop() {
        running = false;
        scheduled.forEach(Scheduler.Task::cancel);
        scheduled.clear();
        inFlight.forEach(request -> request.abort(new CancellationException("the route's health checks stopped")));
    }

    private void checkSoon(Upstream upstream) {
        if (!running) {
            return;
        }
        Scheduler.Task[] task = new Scheduler.Task[1];
        task[0] = scheduler.schedule(
                () -> {
                    scheduled.remove(task[0]);
                    checkNow(upstream);
                },
                check.interval().toMillis(),
                TimeUnit.MILLISECONDS);
        scheduled.add(task[0]);
        if (!running) {
            task[0].cancel(); // stopped meanwhile
        }
    }

    private void checkNow(Upstream upstream) {
        if (!running) {
            return;
        }
        String host =
                upstream.address().isUnix() ? "localhost" : upstream.address().host();
        int port = upstream.address().isUnix() ? 80 : upstream.address().port();
        Request request = jetty.client()
                .newRequest(host, port)
                // Jetty's client writes a path it cannot parse as it is; this one parsed.
                .path(target.toString())
                .timeout(check.timeout().toMillis(), TimeUnit.MILLISECONDS);
        if (upstream.transport() != null) {
            request.transport(upstream.transport());
        }
        boolean[] connected = {false};
        request.onRequestBegin(begun -> connected[0] = true);
        inFlight.add(request);
        request.send(result -> {
            inFlight.remove(request);
            if (!running) {
                return; // the route changed or went: this check's result is nobody's
            }
            boolean ok;
            String seen;
            if (result.isFailed()) {
                ok = false;
                seen = UpstreamFailure.of(result.getFailure(), connected[0], upstream.address())
                        .seen();
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
}
