package dev.udsgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.udsgate.config.InvalidConfigException;
import dev.udsgate.testing.ApiContract;
import dev.udsgate.testing.RawHttp;
import dev.udsgate.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A route that leads back to udsgate's own socket: refused where it can be seen, answered 508 where not. */
class RouteLoopTest {

    @TempDir
    Path dir;

    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private Path socket() {
        return dir.resolve("udsgate.sock");
    }

    private String routeTo(Path upstream) {
        return "{\"host\":\"loop\",\"upstreams\":[\"unix:" + upstream + "\"]}";
    }

    @Test
    void aRouteToTheOwnSocketIsRefusedOverTheApiByPathAndThroughALink() throws Exception {
        server = TestServer.start(socket());
        Path link = Files.createSymbolicLink(dir.resolve("link.sock"), socket());

        for (Path upstream : List.of(socket(), link)) {
            server.api()
                    .contentType("application/json")
                    .body(routeTo(upstream))
                    .put("/v1/routes/loop")
                    .then()
                    .statusCode(400)
                    .body("errors[0].path", equalTo("upstreams[0]"))
                    .body("errors[0].reason", containsString("udsgate's own socket"));
        }
        server.api().get("/v1/routes/loop").then().statusCode(404);
    }

    @Test
    void aConfiguredRouteToTheOwnSocketStopsTheStart() {
        assertThatThrownBy(() -> TestServer.on(socket())
                        .routes(List.of(GatewayTest.route("loop", "loop", null, null, null, null, "unix:" + socket())))
                        .start())
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("routes[0].upstreams[0]")
                .hasMessageContaining("own socket");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST"})
    void aLoopNoCheckCouldSeeIsAnswered508Once(String method) throws Exception {
        server = TestServer.start(socket());
        Path later = dir.resolve("later.sock");
        server.api()
                .contentType("application/json")
                .body(routeTo(later))
                .put("/v1/routes/loop")
                .then()
                .statusCode(201);
        // Only now does the upstream's path lead back to udsgate.
        Files.createSymbolicLink(later, socket());

        try (RawHttp client = RawHttp.connect(socket())) {
            String body = method.equals("POST") ? "Content-Length: 4" : "Accept: */*";
            client.send(RawHttp.request(method, "/x", "Host: loop", body) + (method.equals("POST") ? "data" : ""));
            RawHttp.Answer answer = client.readAnswer();
            assertThat(answer.status()).as(answer.body()).isEqualTo(508);
            ApiContract.assertProblem(answer.header("content-type"), answer.body());
            assertThat(answer.body()).contains("loop-detected");
        }
        server.api().get("/v1/upstreams").then().statusCode(200).body("[0].inFlight", equalTo(0));
        server.api().get("/_ping").then().statusCode(200);
    }
}
