package dev.udsgate.metrics;

import dev.udsgate.gateway.Upstream;
import dev.udsgate.http.AccessLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Supplier;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;

/**
 * udsgate's metrics, in Prometheus' text format, by Micrometer's Prometheus registry: connections
 * per listener, requests by listener, route and status class with their durations, bytes each way,
 * and each upstream's health and requests in flight. Requests are counted once they are answered
 * (as a {@link RequestLog}), connections as each listener accepts them.
 */
public final class Metrics implements RequestLog {

    /** The route tag of a request the API answered, or that no route took. */
    private static final String NO_ROUTE = "-";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MultiGauge upstreamHealthy;
    private final MultiGauge upstreamInFlight;

    public Metrics() {
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

    @Override
    public void log(Request request, Response response) {
        String listener = request.getConnectionMetaData().getConnector().getName();
        Object route = request.getAttribute(AccessLog.ROUTE);
        Tags tags = Tags.of(
                "listener",
                listener,
                "route",
                route == null ? NO_ROUTE : route.toString(),
                "status",
                response.getStatus() / 100 + "xx");
        Timer.builder("udsgate.requests")
                .description("answered requests, by listener, route (- for the API) and status class")
                .tags(tags)
                .register(registry)
                .record(Duration.ofNanos(System.nanoTime() - request.getBeginNanoTime()));
        Counter.builder("udsgate.request.bytes")
                .description("request body bytes read")
                .tag("listener", listener)
                .register(registry)
                .increment(Request.getContentBytesRead(request));
        Counter.builder("udsgate.response.bytes")
                .description("response body bytes written")
                .tag("listener", listener)
                .register(registry)
                .increment(Response.getContentBytesWritten(response));
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
