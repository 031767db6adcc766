package dev.udsgate.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.udsgate.config.RouteConfig;
import dev.udsgate.testing.Api;
import dev.udsgate.testing.ConfigFixtures;
import dev.udsgate.testing.TestServer;
import dev.udsgate.testing.TestUpstream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics}: what Prometheus scrapes, counted over the real socket. */
class MetricsTest {

    @TempDir
    Path dir;

    private static Optional<Double> value(String metrics, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE)
                .matcher(metrics);
        return m.find() ? Optional.of(Double.parseDouble(m.group(1))) : Optional.empty();
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

            String metrics = server.api()
                    .get("/metrics")
                    .then()
                    .statusCode(200)
                    .contentType("text/plain; version=0.0.4; charset=utf-8")
                    .extract()
                    .asString();

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
}
