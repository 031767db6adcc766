package dev.udsgate.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import dev.udsgate.config.RouteConfig;
import dev.udsgate.testing.Api;
import dev.udsgate.testing.ConfigFixtures;
import dev.udsgate.testing.TestServer;
import dev.udsgate.testing.TestUpstream;
import io.restassured.response.Response;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One id per request, the client's if it is valid: on every answer, in every problem, and upstream. */
class RequestIdTest {

    private static final String MADE_HERE = "[0-9a-f]{16}";

    @TempDir
    Path dir;

    TestUpstream upstream;
    TestServer server;

    private static RouteConfig route(String name, String upstream) {
        return ConfigFixtures.route(name, name, null, null, upstream);
    }

    @BeforeEach
    void start() {
        upstream = TestUpstream.onUnixSocket("app", dir.resolve("app.sock"));
        server = TestServer.on(dir.resolve("u.sock"))
                .routes(List.of(
                        route("app", "unix:" + dir.resolve("app.sock")),
                        route("gone", "unix:" + dir.resolve("missing.sock"))))
                .start();
    }

    @AfterEach
    void stop() {
        server.close();
        upstream.close();
    }

    @Test
    void theApiAnswersWithAnIdAndAProblemNamesIt() {
        server.api().get("/_ping").then().statusCode(200).header(RequestId.HEADER, matchesPattern(MADE_HERE));
        Response problem = server.api().get("/v1/nothing");
        assertThat(problem.statusCode()).isEqualTo(404);
        assertThat(problem.jsonPath().getString("requestId"))
                .matches(MADE_HERE)
                .isEqualTo(problem.header(RequestId.HEADER));
        server.api()
                .header(RequestId.HEADER, "trace:abc-123_x.y")
                .get("/v1/nothing")
                .then()
                .header(RequestId.HEADER, "trace:abc-123_x.y")
                .body("requestId", equalTo("trace:abc-123_x.y"));
    }

    @Test
    void theUpstreamGetsTheSameIdTheClientDoes() {
        Response kept = Api.unchecked(server.socket())
                .header("Host", "app")
                .header(RequestId.HEADER, "client-7")
                .get("/x");
        assertThat(kept.header(RequestId.HEADER)).isEqualTo("client-7");
        assertThat(kept.jsonPath().getString("headers.x-request-id")).isEqualTo("client-7");

        for (String invalid : List.of("has spaces", "x".repeat(RequestId.MAX_LENGTH + 1), "semi;colon")) {
            Response replaced = Api.unchecked(server.socket())
                    .header("Host", "app")
                    .header(RequestId.HEADER, invalid)
                    .get("/x");
            assertThat(replaced.header(RequestId.HEADER)).as(invalid).matches(MADE_HERE);
            assertThat(replaced.jsonPath().getString("headers.x-request-id"))
                    .isEqualTo(replaced.header(RequestId.HEADER));
        }
    }

    @Test
    void aGatewayProblemNamesTheIdToo() {
        Response failed = Api.unchecked(server.socket()).header("Host", "gone").get("/x");
        assertThat(failed.statusCode()).isEqualTo(502);
        assertThat(failed.jsonPath().getString("requestId"))
                .isEqualTo(failed.header(RequestId.HEADER))
                .matches(MADE_HERE);
    }
}
