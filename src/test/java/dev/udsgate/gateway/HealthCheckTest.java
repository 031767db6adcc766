package dev.udsgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.udsgate.config.RouteDocument;
import dev.udsgate.testing.Api;
import dev.udsgate.testing.EventSubscriber;
import dev.udsgate.testing.TestServer;
import dev.udsgate.testing.TestUpstream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthCheckTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void aFailingUpstreamLeavesTheRotationAndComesBack() throws Exception {
        try (TestUpstream a = TestUpstream.onUnixSocket("a", dir.resolve("a.sock"));
                TestUpstream b = TestUpstream.onUnixSocket("b", dir.resolve("b.sock"))) {
            try (TestServer server = pairWithChecks(1, "b.sock");
                    EventSubscriber events =
                            EventSubscriber.open(server.socket(), "type=upstream.healthy&type=upstream.unhealthy")) {

                b.setHealthy(false);
                JsonNode out = events.until(e -> e.get("type").asText().equals("upstream.unhealthy"), WAIT)
                        .get(0);
                assertThat(out.at("/data/upstream").asText()).endsWith("b.sock");
                assertThat(out.at("/data/lastCheckResult").asText()).isEqualTo("503");
                assertThat(upstreamsAnswering(server, 6)).containsExactly("a");
                server.api()
                        .get("/v1/upstreams")
                        .then()
                        .statusCode(200)
                        .body("find { it.address.endsWith('b.sock') }.health", equalTo("unhealthy"))
                        .body("find { it.address.endsWith('b.sock') }.lastCheckResult", equalTo("503"));

                b.setHealthy(true);
                JsonNode back = events.until(e -> e.get("type").asText().equals("upstream.healthy"), WAIT)
                        .get(0);
                assertThat(back.at("/data/upstream").asText()).endsWith("b.sock");
                assertThat(upstreamsAnswering(server, 6)).containsExactlyInAnyOrder("a", "b");
            }
        }
    }

    @Test
    void aDeadUpstreamSocketIsTakenOutToo() throws Exception {
        try (TestUpstream a = TestUpstream.onUnixSocket("a", dir.resolve("a.sock"))) {
            try (TestServer server = pairWithChecks(2, "dead.sock");
                    EventSubscriber events = EventSubscriber.open(server.socket(), "since=0&type=upstream.unhealthy")) {
                JsonNode out = events.until(e -> true, WAIT).get(0);
                assertThat(out.at("/data/lastCheckResult").asText()).isEqualTo("no socket");
                assertThat(upstreamsAnswering(server, 4)).containsExactly("a");
            }
        }
    }

    /**
     * A route "pair" to a.sock and {@code second}, checked every second (the least); one success
     * brings an upstream back.
     */
    private TestServer pairWithChecks(int unhealthyThreshold, String second) {
        var check = new RouteDocument.HealthCheckDocument("/health", "1s", "1s", 1, unhealthyThreshold);
        return TestServer.on(dir.resolve("udsgate.sock"))
                .routes(List.of(GatewayTest.route(
                        "pair",
                        "pair",
                        null,
                        null,
                        null,
                        check,
                        "unix:" + dir.resolve("a.sock"),
                        "unix:" + dir.resolve(second))))
                .start();
    }

    @Test
    void aDeletedRoutesHealthChecksStopAtOnce() throws Exception {
        try (TestUpstream a = TestUpstream.onUnixSocket("a", dir.resolve("a.sock"));
                TestServer server = checkedRoute("a.sock")) {
            awaitChecks(a, 1);

            server.api().delete("/v1/routes/checked").then().statusCode(204);

            assertNoMoreChecks(a);
        }
    }

    @Test
    void aReplacedRoutesOldHealthChecksStopAtOnce() throws Exception {
        try (TestUpstream a = TestUpstream.onUnixSocket("a", dir.resolve("a.sock"));
                TestUpstream b = TestUpstream.onUnixSocket("b", dir.resolve("b.sock"));
                TestServer server = checkedRoute("a.sock")) {
            awaitChecks(a, 1);

            server.api()
                    .contentType("application/json")
                    .body("{\"host\":\"checked\",\"upstreams\":[\"unix:" + dir.resolve("b.sock")
                            + "\"],\"healthCheck\":{\"path\":\"/health\",\"interval\":\"1s\"}}")
                    .put("/v1/routes/checked")
                    .then()
                    .statusCode(200);

            assertNoMoreChecks(a);
            assertThat(b.requests()).as("the new route checks its own upstream").isPositive();
        }
    }

    /** A route "checked" to {@code socket}, its health checked every second, with a 60 s response timeout. */
    private TestServer checkedRoute(String socket) {
        var check = new RouteDocument.HealthCheckDocument("/health", "1s", "1s", 1, 1);
        return TestServer.on(dir.resolve("udsgate.sock"))
                .routes(List.of(GatewayTest.route(
                        "checked", "checked", null, null, "60s", check, "unix:" + dir.resolve(socket))))
                .start();
    }

    private static void awaitChecks(TestUpstream upstream, int checks) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (upstream.requests() < checks && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(upstream.requests()).isGreaterThanOrEqualTo(checks);
    }

    /** More than two intervals pass, and the upstream is not asked again. */
    private static void assertNoMoreChecks(TestUpstream upstream) throws InterruptedException {
        Thread.sleep(200); // a check already on its way when the answer came may still arrive
        long before = upstream.requests();
        Thread.sleep(2_500);
        assertThat(upstream.requests()).as("health checks after the change").isEqualTo(before);
    }

    private static Set<String> upstreamsAnswering(TestServer server, int requests) throws Exception {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < requests; i++) {
            String body = Api.unchecked(server.socket())
                    .header("Host", "pair")
                    .get("/")
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString();
            seen.add(JSON.readTree(body).get("upstream").asText());
        }
        return seen;
    }
}
