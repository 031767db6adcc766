package dev.udsgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.udsgate.testing.Api;
import dev.udsgate.testing.EventSubscriber;
import dev.udsgate.testing.TestServer;
import dev.udsgate.testing.TestUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Routes changed at run time over /v1/routes, with ETags, and kept in the state file. */
class RoutesApiTest {

    @TempDir
    Path dir;

    TestUpstream upstream;
    TestServer server;

    @BeforeEach
    void upstream() {
        upstream = TestUpstream.onUnixSocket("orders", dir.resolve("orders.sock"));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        upstream.close();
    }

    private TestServer start() {
        server = TestServer.on(dir.resolve("udsgate.sock"))
                .routes(List.of(GatewayTest.route(
                        "billing", "billing", null, null, null, null, "unix:" + dir.resolve("orders.sock"))))
                .stateFile(dir.resolve("state.json"))
                .start();
        return server;
    }

    private String ordersRoute() {
        return "{\"host\":\"orders\",\"upstreams\":[\"unix:" + dir.resolve("orders.sock")
                + "\"],\"responseTimeout\":\"30s\"}";
    }

    @Test
    void configuredRoutesAreListedWithTheirVersionAndSource() {
        start();
        server.api()
                .get("/v1/routes")
                .then()
                .statusCode(200)
                .body("name", equalTo(List.of("billing")))
                .body("[0].source", equalTo("config"))
                .body("[0].etag", notNullValue())
                .body("[0].connectTimeout", equalTo("5s"))
                .body("[0].healthCheck", equalTo(null));
        server.api().get("/v1/routes/billing").then().statusCode(200).header("ETag", notNullValue());
        server.api().get("/v1/routes/nope").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void aPutRouteServesAtOnce() {
        start();
        server.api().header("Host", "orders").get("/x").then().statusCode(404);

        String etag = server.api()
                .contentType("application/json")
                .body(ordersRoute())
                .put("/v1/routes/orders")
                .then()
                .statusCode(201)
                .body("source", equalTo("api"))
                .body("responseTimeout", equalTo("30s"))
                .extract()
                .header("ETag");

        assertThat(etag).matches("\"[0-9a-f]{16}\"");
        Api.unchecked(server.socket())
                .header("Host", "orders")
                .get("/x")
                .then()
                .statusCode(200)
                .body("upstream", equalTo("orders"));
        server.api()
                .contentType("application/json")
                .body(ordersRoute())
                .put("/v1/routes/orders")
                .then()
                .statusCode(200)
                .header("ETag", etag);
    }

    @Test
    void aStaleIfMatchIsRefusedWith412() {
        start();
        String etag = server.api().get("/v1/routes/billing").then().extract().header("ETag");
        server.api()
                .contentType("application/json")
                .header("If-Match", etag)
                .body("{\"host\":\"billing\",\"upstreams\":[\"unix:" + dir.resolve("orders.sock")
                        + "\"],\"stripPrefix\":true}")
                .put("/v1/routes/billing")
                .then()
                .statusCode(200)
                .header("ETag", not(equalTo(etag)));

        server.api()
                .contentType("application/json")
                .header("If-Match", etag)
                .body(ordersRoute())
                .put("/v1/routes/billing")
                .then()
                .statusCode(412)
                .contentType("application/problem+json")
                .body("detail", containsString("read it again"));
        server.api()
                .header("If-Match", etag)
                .delete("/v1/routes/billing")
                .then()
                .statusCode(412);
        server.api()
                .contentType("application/json")
                .header("If-Match", "*")
                .body(ordersRoute())
                .put("/v1/routes/not-yet")
                .then()
                .statusCode(412);
    }

    @Test
    void concurrentPutsWithTheSameIfMatchLetExactlyOneWin() throws Exception {
        start();
        String etag = server.api().get("/v1/routes/billing").then().extract().header("ETag");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Integer>> puts = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String body = "{\"host\":\"billing\",\"pathPrefix\":\"/v" + (i + 2) + "\",\"upstreams\":[\"unix:"
                        + dir.resolve("orders.sock") + "\"]}";
                puts.add(() -> server.api()
                        .contentType("application/json")
                        .header("If-Match", etag)
                        .body(body)
                        .put("/v1/routes/billing")
                        .statusCode());
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> result : pool.invokeAll(puts)) {
                statuses.add(result.get());
            }
            assertThat(statuses).containsOnly(200, 412);
            assertThat(statuses.stream().filter(s -> s == 200).count()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anInvalidRouteIsA400ThatPointsAtEachField() {
        start();
        server.api()
                .contentType("application/json")
                .body(
                        "{\"pathPrefix\":\"/v1/sneaky\",\"upstreams\":[\"unix:relative.sock\"],\"connectTimeout\":\"soon\"}")
                .put("/v1/routes/bad")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("errors.path", hasItem("upstreams[0]"))
                .body("errors.path", hasItem("pathPrefix"))
                .body("errors.path", hasItem("connectTimeout"))
                .body("errors.find { it.path == 'upstreams[0]' }.reason", containsString("must be an absolute path"));
        server.api()
                .contentType("application/json")
                .body("{\"hots\":\"x\",\"upstreams\":[\"unix:/x.sock\"]}")
                .put("/v1/routes/bad")
                .then()
                .statusCode(400)
                .body("errors[0].path", equalTo("hots"));
        server.api()
                .contentType("application/json")
                .body("{not json")
                .put("/v1/routes/bad")
                .then()
                .statusCode(400);
        server.api()
                .contentType("text/plain")
                .body("hello")
                .put("/v1/routes/bad")
                .then()
                .statusCode(415);
        server.api().get("/v1/routes/bad").then().statusCode(404);
    }

    @Test
    void valuesThatEndUpInARequestAndTheGatewaysLimitsAreCheckedAtTheApi() {
        start();
        String sock = "unix:" + dir.resolve("orders.sock");
        server.api()
                .contentType("application/json")
                .body("{\"host\":\"orders\",\"upstreams\":[\"" + sock + "\\r\\n\"],"
                        + "\"healthCheck\":{\"path\":\"/health HTTP/1.1\\r\\n\\r\\nDELETE /admin/everything\","
                        + "\"interval\":\"100ms\"}}")
                .put("/v1/routes/orders")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("errors.path", equalTo(List.of("upstreams[0]", "healthCheck.path", "healthCheck.interval")))
                .body("errors[1].reason", containsString("\\r\\n"))
                .body("errors[2].reason", equalTo("must be at least 1s; got 100ms"));

        StringBuilder many = new StringBuilder("{\"host\":\"orders\",\"upstreams\":[");
        for (int i = 0; i <= 64; i++) {
            many.append(i == 0 ? "" : ",").append("\"unix:/run/u").append(i).append(".sock\"");
        }
        server.api()
                .contentType("application/json")
                .body(many.append("]}").toString())
                .put("/v1/routes/orders")
                .then()
                .statusCode(400)
                .body("errors[0].path", equalTo("upstreams"))
                .body("errors[0].reason", equalTo("has 65 upstreams; a route may have at most 64"));
        server.api().get("/v1/routes/orders").then().statusCode(404);
    }

    /**
     * A change is checked whole before it is saved: one the gateway could not serve is refused and
     * leaves nothing behind, and every later change and restart works.
     */
    @Test
    void aRouteThatCouldNotBeServedIsRefusedAndNeverSaved() {
        start();
        for (String upstream : List.of("http://127.0.0.1:99999", "http://127.0.0.1:0", "http://localhost:65536")) {
            server.api()
                    .contentType("application/json")
                    .body("{\"host\":\"p\",\"upstreams\":[\"" + upstream + "\"]}")
                    .put("/v1/routes/bad")
                    .then()
                    .statusCode(400)
                    .contentType("application/problem+json")
                    .body("errors[0].path", equalTo("upstreams[0]"));
        }
        server.api()
                .contentType("application/json")
                .body("{\"host\":\"p\",\"upstreams\":[\"http://127.0.0.1:1\"],\"connectTimeout\":\"10m\"}")
                .put("/v1/routes/bad")
                .then()
                .statusCode(400)
                .body("errors[0].reason", equalTo("must be at most 75s"));
        assertThat(dir.resolve("state.json")).doesNotExist();

        server.api()
                .contentType("application/json")
                .body(ordersRoute())
                .put("/v1/routes/orders")
                .then()
                .statusCode(201);
        server.close();
        start();
        server.api().get("/v1/routes/bad").then().statusCode(404);
        Api.unchecked(server.socket()).header("Host", "orders").get("/x").then().statusCode(200);
    }

    @Test
    void deletingARouteStopsItsTrafficAndIsRemembered() {
        start();
        server.api().delete("/v1/routes/billing").then().statusCode(204);
        server.api().header("Host", "billing").get("/x").then().statusCode(404);
        server.api().delete("/v1/routes/billing").then().statusCode(404);
        server.close();

        // The configured route stays deleted after a restart: the state file says so.
        start();
        server.api().get("/v1/routes").then().statusCode(200).body("size()", equalTo(0));
    }

    @Test
    void aStopAfterRouteChangesIsStillQuickAndGraceful() {
        start();
        server.api()
                .contentType("application/json")
                .body(ordersRoute())
                .put("/v1/routes/billing")
                .then()
                .statusCode(200);
        server.api().delete("/v1/routes/billing").then().statusCode(204);

        var stopped = server.gate().stop();

        assertThat(stopped.graceful()).isTrue();
        assertThat(stopped.took()).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void routesPutOverTheApiSurviveARestart() throws Exception {
        start();
        String etag = server.api()
                .contentType("application/json")
                .body(ordersRoute())
                .put("/v1/routes/orders")
                .then()
                .statusCode(201)
                .extract()
                .header("ETag");
        assertThat(Files.readString(dir.resolve("state.json"))).contains("\"orders\"");
        server.close();

        start();
        server.api()
                .get("/v1/routes/orders")
                .then()
                .statusCode(200)
                .header("ETag", etag)
                .body("source", equalTo("api"));
        Api.unchecked(server.socket()).header("Host", "orders").get("/x").then().statusCode(200);
    }

    @Test
    void routeChangesAreEvents() throws Exception {
        start();
        Instant from = Instant.now();
        server.api()
                .contentType("application/json")
                .body(ordersRoute())
                .put("/v1/routes/orders")
                .then()
                .statusCode(201);
        server.api()
                .contentType("application/json")
                .body(ordersRoute().replace("30s", "20s"))
                .put("/v1/routes/orders")
                .then()
                .statusCode(200);
        server.api().delete("/v1/routes/orders").then().statusCode(204);

        String query = "since=" + from + "&until=" + Instant.now().plusMillis(1)
                + "&type=route.added&type=route.updated&type=route.removed";
        try (EventSubscriber events = EventSubscriber.open(server.socket(), query)) {
            List<JsonNode> seen = events.toEnd(Duration.ofSeconds(10));
            assertThat(seen)
                    .extracting(e -> e.get("type").asText())
                    .containsExactly("route.added", "route.updated", "route.removed");
            assertThat(seen).allMatch(e -> e.at("/data/route").asText().equals("orders"));
        }
    }

    @Test
    void upstreamsShowTheirTraffic() {
        start();
        for (int i = 0; i < 3; i++) {
            Api.unchecked(server.socket())
                    .header("Host", "billing")
                    .get("/x")
                    .then()
                    .statusCode(200);
        }
        server.api()
                .get("/v1/upstreams")
                .then()
                .statusCode(200)
                .body("[0].route", equalTo("billing"))
                .body("[0].address", equalTo("unix:" + dir.resolve("orders.sock")))
                .body("[0].health", equalTo("healthy"))
                .body("[0].served", equalTo(3))
                .body("[0].inFlight", equalTo(0))
                .body("[0].lastCheckAt", equalTo(null));
    }
}
