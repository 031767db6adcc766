package dev.udsgate.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.udsgate.config.ConfigFileLoader;
import dev.udsgate.config.ConnectionLimits;
import dev.udsgate.config.FileMode;
import dev.udsgate.config.GatewayConfig;
import dev.udsgate.config.HistoryLimits;
import dev.udsgate.config.ListenerConfig;
import dev.udsgate.config.ListenerDocument;
import dev.udsgate.config.RouteConfig;
import dev.udsgate.testing.Api;
import dev.udsgate.testing.ConfigFixtures;
import dev.udsgate.testing.Promtool;
import dev.udsgate.testing.RawHttp;
import dev.udsgate.testing.TestServer;
import dev.udsgate.testing.TestUpstream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics}: what Prometheus scrapes, counted over the real socket. */
@Timeout(60)
class MetricsTest {

    /** The request histogram's bucket bounds, as Prometheus reads them. */
    private static final List<String> BUCKETS = List.of(
            "5.0E-4", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0",
            "10.0", "+Inf");

    @TempDir
    Path dir;

    private static Optional<Double> value(String metrics, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE)
                .matcher(metrics);
        return m.find() ? Optional.of(Double.parseDouble(m.group(1))) : Optional.empty();
    }

    private static String scrape(Path socket) {
        return Api.over(socket)
                .get("/metrics")
                .then()
                .statusCode(200)
                .contentType("text/plain; version=0.0.4; charset=utf-8")
                .extract()
                .asString();
    }

    /**
     * A listener as a configuration file's {@code listeners:} describes it (its rules read by the
     * loader, as an operator writes them), on this test's socket {@code NAME.sock}.
     */
    private ListenerConfig listener(String name, String keys) throws IOException {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(
                file,
                "listeners:\n  - {name: " + name + ", path: " + dir.resolve(name + ".sock") + ", " + keys + "}\n");
        ListenerDocument doc = ConfigFileLoader.load(file).listeners().get(0);
        return new ListenerConfig(
                doc.name(),
                doc.path(),
                FileMode.parse("0600"),
                Optional.empty(),
                ListenerConfig.DEFAULT_BACKLOG,
                ConnectionLimits.defaults(),
                Optional.empty(),
                doc.exposure(),
                doc.access());
    }

    @Test
    void connectionsRequestsAndUpstreamsAreCounted() {
        Path app = dir.resolve("app.sock");
        RouteConfig route = ConfigFixtures.route("app", "app", null, app);
        try (TestUpstream upstream = TestUpstream.onUnixSocket("app", app);
                TestServer server = TestServer.on(dir.resolve("u.sock"))
                        .routes(List.of(route))
                        .start()) {
            for (int i = 0; i < 3; i++) {
                Api.unchecked(server.socket())
                        .header("Host", "app")
                        .get("/x")
                        .then()
                        .statusCode(200);
            }
            server.api().get("/v1/nothing").then().statusCode(404);

            String metrics = scrape(server.socket());

            assertThat(value(metrics, "udsgate_requests_seconds_count{listener=\"main\",route=\"app\",status=\"2xx\"}"))
                    .contains(3.0);
            assertThat(value(metrics, "udsgate_requests_seconds_count{listener=\"main\",route=\"-\",status=\"4xx\"}"))
                    .contains(1.0);
            assertThat(value(metrics, "udsgate_connections_accepted_total{listener=\"main\"}"))
                    .hasValueSatisfying(accepted -> assertThat(accepted).isGreaterThanOrEqualTo(5.0));
            assertThat(value(metrics, "udsgate_connections_open{listener=\"main\"}"))
                    .hasValueSatisfying(open -> assertThat(open).isGreaterThanOrEqualTo(1.0));
            assertThat(value(metrics, "udsgate_upstream_healthy{route=\"app\",upstream=\"unix:" + app + "\"}"))
                    .contains(1.0);
            assertThat(value(metrics, "udsgate_response_bytes_total{listener=\"main\"}"))
                    .hasValueSatisfying(bytes -> assertThat(bytes).isPositive());
        }
    }

    @Test
    void requestDurationsFallIntoTheSameFixedBucketsForEveryListenerRouteAndStatus() {
        Path app = dir.resolve("app.sock");
        try (TestUpstream upstream = TestUpstream.onUnixSocket("app", app);
                TestServer server = TestServer.on(dir.resolve("u.sock"))
                        .routes(List.of(ConfigFixtures.route("app", "app", null, app)))
                        .start()) {
            for (int i = 0; i < 4; i++) {
                Api.unchecked(server.socket())
                        .header("Host", "app")
                        .get("/x")
                        .then()
                        .statusCode(200);
            }

            String metrics = scrape(server.socket());

            String series = "udsgate_requests_seconds_bucket{listener=\"main\",route=\"app\",status=\"2xx\",le=\"";
            List<Double> counts = new ArrayList<>();
            for (String le : BUCKETS) {
                counts.add(value(metrics, series + le + "\"}")
                        .orElseThrow(() -> new AssertionError("no bucket le=" + le + " in:\n" + metrics)));
            }
            assertThat(counts).as("cumulative, as Prometheus' buckets are").isSorted();
            assertThat(counts.get(counts.size() - 1)).as("+Inf: every request").isEqualTo(4.0);
            assertThat(metrics.lines().filter(line -> line.startsWith(series)))
                    .as("no bucket but the fixed ones")
                    .hasSize(BUCKETS.size());
            assertThat(value(metrics, "udsgate_requests_seconds_sum{listener=\"main\",route=\"app\",status=\"2xx\"}"))
                    .hasValueSatisfying(seconds -> assertThat(seconds).isPositive());
        }
    }

    @Test
    void aDenialIsCountedByListenerAndWhetherItWasEnforcedOrOnlyAudited() throws IOException {
        String rules = "rules: [{deny: {methods: [DELETE]}}, {allow: {}}]";
        try (TestServer server = TestServer.on(dir.resolve("main.sock"))
                .listener(listener("guarded", rules))
                .listener(listener("audited", "access: audit, " + rules))
                .start()) {
            Api.unchecked(dir.resolve("guarded.sock")).delete("/x").then().statusCode(403);
            Api.unchecked(dir.resolve("guarded.sock")).get("/x").then().statusCode(404);
            for (int i = 0; i < 2; i++) {
                // Let through to the gateway, which has no route for it.
                Api.unchecked(dir.resolve("audited.sock")).delete("/x").then().statusCode(404);
            }

            String metrics = scrape(server.socket());

            assertThat(value(metrics, "udsgate_access_denied_total{listener=\"guarded\",mode=\"enforce\"}"))
                    .contains(1.0);
            assertThat(value(metrics, "udsgate_access_denied_total{listener=\"audited\",mode=\"audit\"}"))
                    .contains(2.0);
            assertThat(metrics).doesNotContain("udsgate_access_denied_total{listener=\"main\"");
            assertThat(metrics).doesNotContain("listener=\"audited\",mode=\"enforce\"");
        }
    }

    /** The subscriber stops reading: once its socket and its queue of 4 are full, events are lost, and counted. */
    @Test
    void eventsLostToAStalledSubscriberAreCounted() throws IOException {
        try (TestServer server = TestServer.on(dir.resolve("u.sock"))
                        .history(new HistoryLimits(16, 16, 4))
                        .start();
                RawHttp stalled = RawHttp.connect(server.socket())) {
            assertThat(value(scrape(server.socket()), "udsgate_events_dropped_total"))
                    .contains(0.0);
            stalled.send(RawHttp.request("GET", "/v1/events"));
            assertThat(stalled.readHead().status()).isEqualTo(200);

            // Each connection is two events (opened, closed); a few hundred fill the stalled socket.
            double dropped = 0;
            for (int burst = 0; burst < 50 && dropped == 0; burst++) {
                for (int i = 0; i < 100; i++) {
                    try (RawHttp connection = RawHttp.connect(server.socket())) {
                        connection.exchange("GET", "/_ping");
                    }
                }
                dropped = value(scrape(server.socket()), "udsgate_events_dropped_total")
                        .orElseThrow();
            }

            assertThat(dropped).isPositive();
            long told = 0;
            for (String line = stalled.readBodyLine(); line != null && told == 0; line = stalled.readBodyLine()) {
                if (line.contains("\"events.dropped\"")) {
                    told = Long.parseLong(line.replaceAll(".*\"count\":(\\d+).*", "$1"));
                }
            }
            assertThat(told)
                    .as("the subscriber, once it reads, is told it lost some")
                    .isPositive();
        }
    }

    @Test
    void theScrapeIsPrometheusTextThatPromtoolAcceptsWithEveryKindOfMetricInIt() throws IOException {
        Path app = dir.resolve("app.sock");
        try (TestUpstream upstream = TestUpstream.onUnixSocket("app", app);
                TestServer server = TestServer.on(dir.resolve("main.sock"))
                        .routes(List.of(ConfigFixtures.route("app", "app", null, app)))
                        .listener(listener("guarded", "rules: [{deny: {methods: [DELETE]}}, {allow: {}}]"))
                        .start()) {
            Api.unchecked(server.socket())
                    .header("Host", "app")
                    .get("/x")
                    .then()
                    .statusCode(200);
            Api.unchecked(server.socket())
                    .header("Host", "app")
                    .body("a body")
                    .post("/x")
                    .then()
                    .statusCode(200);
            server.api().get("/v1/nothing").then().statusCode(404);
            Api.unchecked(dir.resolve("guarded.sock")).delete("/x").then().statusCode(403);

            String metrics = scrape(server.socket());
            Promtool.Verdict verdict = Promtool.checkMetrics(metrics);

            assertThat(metrics)
                    .contains(
                            "udsgate_connections_open{",
                            "udsgate_connections_accepted_total{",
                            "udsgate_requests_seconds_bucket{",
                            "udsgate_requests_seconds_count{",
                            "udsgate_requests_seconds_sum{",
                            "udsgate_request_bytes_total{",
                            "udsgate_response_bytes_total{",
                            "udsgate_access_denied_total{",
                            "udsgate_events_dropped_total ",
                            "udsgate_upstream_healthy{",
                            "udsgate_upstream_in_flight{");
            assertThat(verdict.exitCode())
                    .as("promtool check metrics said:\n%s\nof:\n%s", verdict.output(), metrics)
                    .isZero();
            assertThat(value(metrics, "udsgate_request_bytes_total{listener=\"main\"}"))
                    .as("the POST's body")
                    .contains((double) "a body".length());
        }
    }

    @Test
    void theMetricsAnswerOnlyWhereTheListenerServesThemAndAReloadCanMoveThem() throws IOException {
        ListenerConfig shared = listener("shared", "api: read-only");
        ListenerConfig scraped = listener("scraped", "api: read-only, metrics: true");
        AtomicReference<GatewayConfig> next = new AtomicReference<>();
        TestServer.Builder builder = TestServer.on(dir.resolve("main.sock"))
                .listener(shared)
                .listener(scraped)
                .reloadFrom(next::get);
        try (TestServer server = builder.start()) {
            scrape(server.socket());
            scrape(dir.resolve("scraped.sock"));
            Api.over(dir.resolve("shared.sock"))
                    .get("/metrics")
                    .then()
                    .statusCode(404)
                    .body("detail", containsString("listener shared does not serve /metrics"));
            server.api().get("/v1/sockets").then().body("offers.metrics", equalTo(List.of(true, false, true)));

            GatewayConfig before = builder.config();
            List<ListenerConfig> listeners = new ArrayList<>(before.listeners());
            listeners.set(1, listener("shared", "api: read-only, metrics: true"));
            next.set(new GatewayConfig(
                    listeners,
                    before.shutdownTimeout(),
                    before.idleTimeout(),
                    before.headerTimeout(),
                    before.history(),
                    before.routes(),
                    before.stateFile(),
                    before.fastPath(),
                    before.accessLog(),
                    before.logFormat(),
                    before.watchConfig()));
            server.api()
                    .post("/v1/reload")
                    .then()
                    .statusCode(200)
                    .body("listeners.changed", equalTo(List.of("shared")));

            scrape(dir.resolve("shared.sock"));
        }
    }
}
