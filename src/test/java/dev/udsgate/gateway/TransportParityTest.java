package dev.udsgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.udsgate.testing.Api;
import dev.udsgate.testing.TestServer;
import dev.udsgate.testing.TestUpstream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fast path on or off ({@code fastPath: false}), a forwarded request gets the same treatment:
 * one policy, whichever transport carries it.
 */
class TransportParityTest {

    @TempDir
    Path dir;

    TestUpstream upstream;
    TestServer fast;
    TestServer jetty;

    @BeforeEach
    void start() {
        upstream = TestUpstream.onUnixSocket("app", dir.resolve("app.sock"));
        List<dev.udsgate.config.RouteConfig> routes = List.of(
                GatewayTest.route("app", "app", null, null, null, null, "unix:" + dir.resolve("app.sock")),
                GatewayTest.route(
                        "spare",
                        "spare",
                        null,
                        null,
                        null,
                        null,
                        "unix:" + dir.resolve("missing.sock"),
                        "unix:" + dir.resolve("app.sock")),
                GatewayTest.route("gone", "gone", null, null, null, null, "unix:" + dir.resolve("missing.sock")),
                GatewayTest.route("slow", "slow", null, null, "300ms", null, "unix:" + dir.resolve("app.sock")));
        fast = TestServer.on(dir.resolve("fast.sock")).routes(routes).start();
        jetty = TestServer.on(dir.resolve("jetty.sock"))
                .routes(routes)
                .fastPath(false)
                .start();
    }

    @AfterEach
    void stop() {
        fast.close();
        jetty.close();
        upstream.close();
    }

    private static Map<String, String> headersSeenUpstream(TestServer server) throws Exception {
        String body = Api.unchecked(server.socket())
                .header("Host", "app")
                .header("Connection", "X-Secret")
                .header("X-Secret", "hop")
                .header("X-Forwarded-For", "10.0.0.1")
                .header("Udsgate-Peer-Uid", "0")
                .header("Via", "1.0 edge")
                .header("X-Kept", "yes")
                .header("X-Request-Id", "parity-1")
                .get("/echo")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        JsonNode headers = new ObjectMapper().readTree(body).get("headers");
        Map<String, String> seen = new TreeMap<>();
        headers.fields()
                .forEachRemaining(
                        field -> seen.put(field.getKey(), field.getValue().asText()));
        // Which connection, which socket and each server's loop token differ between the two, by design.
        seen.remove("udsgate-connection");
        seen.remove("udsgate-listener");
        seen.computeIfPresent("via", (name, via) -> via.replaceAll("udsgate-[0-9a-f]+", "udsgate-TOKEN"));
        return seen;
    }

    @Test
    void theUpstreamSeesTheSameHeadersEitherWay() throws Exception {
        Map<String, String> viaFastPath = headersSeenUpstream(fast);
        Map<String, String> viaJetty = headersSeenUpstream(jetty);

        assertThat(viaJetty).isEqualTo(viaFastPath);
        assertThat(viaFastPath)
                .containsEntry("x-kept", "yes")
                .containsEntry("x-request-id", "parity-1")
                .doesNotContainKeys("x-secret", "x-forwarded-for")
                .containsKey("udsgate-peer-uid")
                .hasEntrySatisfying("via", via -> assertThat(via).startsWith("1.0 edge, 1.1 "));
    }

    @Test
    void anUpstreamThatCannotBeReachedIsSkippedOnceEitherWay() {
        for (TestServer server : List.of(fast, jetty)) {
            Api.unchecked(server.socket())
                    .header("Host", "spare")
                    .get("/x")
                    .then()
                    .statusCode(200)
                    .body("upstream", equalTo("app"));
        }
    }

    @Test
    void failuresAreTheSameProblemsEitherWay() {
        for (TestServer server : List.of(fast, jetty)) {
            Api.unchecked(server.socket())
                    .header("Host", "gone")
                    .get("/x")
                    .then()
                    .statusCode(502)
                    .contentType("application/problem+json")
                    .body("detail", equalTo("route gone: could not connect to an upstream (no socket)"));
            Api.unchecked(server.socket())
                    .header("Host", "slow")
                    .get("/slow?ms=3000")
                    .then()
                    .statusCode(504)
                    .body("detail", containsString("route slow: the upstream did not answer within 300ms"));
        }
    }
}
