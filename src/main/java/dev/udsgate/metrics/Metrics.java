package dev.udsgate.metrics;

import dev.udsgate.access.Denials;
import dev.udsgate.config.AccessPolicy;
import dev.udsgate.events.EventLog;
import dev.udsgate.gateway.Upstream;
import dev.udsgate.http.AccessLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;

/**
 * udsgate's metrics, in Prometheus' text format, by Micrometer's Prometheus registry: connections
 * per listener, requests by listener, route and status class with a histogram of their durations,
 * bytes each way, access denials, events dropped for slow subscribers, and each upstream's health
 * and requests in flight. Requests are counted once they are answered (as a {@link RequestLog}),
 * connections as each listener accepts them, denials as the access rules decide them.
 */
public final class Metrics implements RequestLog {

    /** The route tag of a request the API answered, or that no route took. */
    private static final String NO_ROUTE = "-";

    /**
     * The request histogram's upper bounds ({@code le}): the Prometheus clients' default buckets
     * (5 ms to 10 s) and three below them, since a local socket answers in well under 5 ms. Fixed,
     * so that each listener, route and status class has the same 15 series ({@code +Inf} too).
     */
    private static final Duration[] DURATION_BUCKETS = {
        Duration.of(500, ChronoUnit.MICROS),
        Duration.ofMillis(1),
        Duration.of(2500, ChronoUnit.MICROS),
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofMillis(2500),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10)
    };

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MultiGauge upstreamHealthy;
    private final MultiGauge upstreamInFlight;
    private final ConcurrentHashMap<String, ListenerMeters> byListener = new ConcurrentHashMap<>();
    /** By listener, then by {@link AccessPolicy.Mode} ordinal. */
    private final ConcurrentHashMap<String, Counter[]> denied = new ConcurrentHashMap<>();

    /** @param events whose losses to slow subscribers are counted */
    public Metrics(EventLog events) {
        FunctionCounter.builder("udsgate.events.dropped", events, EventLog::droppedTotal)
                .description("events dropped for subscribers too slow to take them (each is told how many"
                        + " in an events.dropped event)")
                .register(registry);
        this.upstreamHealthy = MultiGauge.builder("udsgate.upstream.healthy")
                .description("1 if the upstream is in rotation (its health checks pass, or it has none)")
                .register(registry);
        this.upstreamInFlight = MultiGauge.builder("udsgate.upstream.in.flight")
                .description("requests sent to the upstream and not yet answered")
                .register(registry);
    }

    /**
     * Counts what a listener accepts, and shows what it holds open.
     *
     * @param open the connections the listener holds now, when known
     * @return the listener to add to its connector
     */
    public Connection.Listener listener(String name, Supplier<OptionalInt> open) {
        Counter accepted = Counter.builder("udsgate.connections.accepted")
                .description("connections the listener accepted and kept")
                .tag("listener", name)
                .register(registry);
        Gauge.builder("udsgate.connections.open", () -> open.get().orElse(0))
                .description("connections the listener holds open now")
                .tag("listener", name)
                .register(registry);
        return new Connection.Listener() {
            @Override
            public void onOpened(Connection connection) {
                accepted.increment();
            }
        };
    }

    /**
     * Counts access denials, by listener and mode: {@code enforce} for a request refused, {@code audit}
     * for one the rules would refuse on a listener that only audits them. Like requests, a denial
     * finds its counter in a map and an array, made once.
     */
    public Denials accessDenials() {
        return (listener, mode) -> {
            Counter[] byMode = denied.get(listener);
            if (byMode == null) {
                byMode = denied.computeIfAbsent(listener, name -> new Counter[AccessPolicy.Mode.values().length]);
            }
            Counter counter = byMode[mode.ordinal()];
            if (counter == null) {
                // As for the timers: two threads racing here get the same meter from the registry.
                counter = Counter.builder("udsgate.access.denied")
                        .description("requests the listener's access rules deny: refused (enforce) or let through"
                                + " and logged (audit)")
                        .tags("listener", listener, "mode", mode.label())
                        .register(registry);
                byMode[mode.ordinal()] = counter;
            }
            counter.increment();
        };
    }

    /**
     * Counts one answered request. Its meters are looked up in maps keyed by the strings the
     * request already has (listener and route names) and an array by status class, so that a
     * request makes no tags, builders or meter ids once its meters exist: the proxy benchmark
     * measured 3.7 µs of CPU per request more when they were built anew for each one.
     */
    @Override
    public void log(Request request, Response response) {
        String listener = request.getConnectionMetaData().getConnector().getName();
        ListenerMeters meters = byListener.get(listener);
        if (meters == null) {
            meters = byListener.computeIfAbsent(listener, ListenerMeters::new);
        }
        Object route = request.getAttribute(AccessLog.ROUTE);
        meters.timer(route == null ? NO_ROUTE : route.toString(), response.getStatus())
                .record(System.nanoTime() - request.getBeginNanoTime(), TimeUnit.NANOSECONDS);
        meters.requestBytes.increment(Request.getContentBytesRead(request));
        meters.responseBytes.increment(Response.getContentBytesWritten(response));
    }

    /** One listener's request meters, made once. */
    private final class ListenerMeters {
        private final String listener;
        private final Counter requestBytes;
        private final Counter responseBytes;
        /** By route, then by status class (index 1 to 5: 1xx to 5xx). */
        private final ConcurrentHashMap<String, Timer[]> timers = new ConcurrentHashMap<>();

        ListenerMeters(String listener) {
            this.listener = listener;
            this.requestBytes = Counter.builder("udsgate.request.bytes")
                    .description("request body bytes read")
                    .tag("listener", listener)
                    .register(registry);
            this.responseBytes = Counter.builder("udsgate.response.bytes")
                    .description("response body bytes written")
                    .tag("listener", listener)
                    .register(registry);
        }

        Timer timer(String route, int status) {
            Timer[] byClass = timers.get(route);
            if (byClass == null) {
                byClass = timers.computeIfAbsent(route, r -> new Timer[6]);
            }
            int statusClass = Math.max(1, Math.min(5, status / 100));
            Timer timer = byClass[statusClass];
            if (timer == null) {
                // Two threads may both get here: the registry gives both the same meter.
                timer = Timer.builder("udsgate.requests")
                        .description("answered requests, by listener, route (- for the API) and status class")
                        .tags("listener", listener, "route", route, "status", statusClass + "xx")
                        // Fixed buckets: a record finds its bucket in an array, no allocation.
                        .serviceLevelObjectives(DURATION_BUCKETS)
                        .register(registry);
                byClass[statusClass] = timer;
            }
            return timer;
        }
    }

    /**
     * Everything, as Prometheus reads it ({@code text/plain; version=0.0.4}).
     *
     * @param now every route's upstreams now
     */
    public String scrape(List<Upstream> now) {
        upstreamHealthy.register(
                now.stream()
                        .map(upstream -> MultiGauge.Row.of(tagsOf(upstream), upstream.healthy() ? 1 : 0))
                        .toList(),
                true);
        upstreamInFlight.register(
                now.stream()
                        .map(upstream -> MultiGauge.Row.of(
                                tagsOf(upstream), upstream.status().inFlight()))
                        .toList(),
                true);
        return registry.scrape();
    }

    private static Tags tagsOf(Upstream upstream) {
        return Tags.of("route", upstream.route(), "upstream", upstream.address().text());
    }
}
