package dev.udsgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.udsgate.testing.ApiContract;
import dev.udsgate.testing.RawHttp;
import dev.udsgate.testing.TestServer;
import io.restassured.response.ValidatableResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code PUT /v1/routes/{name}} with bodies and names that are wrong: every error at once, each at
 * its key path, in the API's words (as the configuration file's errors), never a Java type.
 */
class RouteBodyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private TestServer start() throws java.io.IOException {
        Files.createDirectories(dir.resolve("state"));
        server = TestServer.on(dir.resolve("udsgate.sock"))
                .stateFile(dir.resolve("state").resolve("routes.json"))
                .start();
        return server;
    }

    private ValidatableResponse put(String name, String body) {
        return server.api()
                .contentType("application/json")
                .body(body)
                .put("/v1/routes/" + name)
                .then();
    }

    private String valid() {
        return "{\"host\":\"billing\",\"upstreams\":[\"unix:" + dir.resolve("billing.sock") + "\"]}";
    }

    @Test
    void valuesOfTheWrongTypeSayTheFieldWhatWasExpectedAndWhatWasFound() throws Exception {
        start();
        put(
                        "billing",
                        "{\"host\":\"billing\",\"upstreams\":\"unix:/run/b.sock\",\"stripPrefix\":\"yes\","
                                + "\"healthCheck\":\"/health\",\"connectTimeout\":5}")
                .statusCode(400)
                .contentType("application/problem+json")
                .body("errors.path", equalTo(List.of("stripPrefix", "upstreams", "healthCheck", "connectTimeout")))
                .body(
                        "errors.reason",
                        equalTo(List.of(
                                "must be true or false, got \"yes\"",
                                "must be a list such as [\"unix:/run/app.sock\"], got \"unix:/run/b.sock\"",
                                "must be an object with keys path, interval, timeout, healthyThreshold,"
                                        + " unhealthyThreshold, got \"/health\"",
                                "'5' is not a duration; write it as 10s, 500ms, 2m or 1h")))
                .body("detail", not(containsString("java")))
                .body("detail", not(containsString("`")))
                .body("detail", not(containsString("$")));
        put(
                        "billing",
                        "{\"host\":\"billing\",\"upstreams\":[\"unix:/run/b.sock\"],"
                                + "\"healthCheck\":{\"healthyThreshold\":\"2\",\"unhealthyThreshold\":2.5}}")
                .statusCode(400)
                .body("errors.path", equalTo(List.of("healthCheck.healthyThreshold", "healthCheck.unhealthyThreshold")))
                .body("errors.reason", everyItem(containsString("must be a whole number, got")));
    }

    @Test
    void anUnknownKeyIsReportedWithEveryOtherErrorAtOnce() throws Exception {
        start();
        String wrong = "\"upstreams\":[\"unix:relative.sock\"],\"connectTimeout\":\"soon\",\"pathPrefix\":\"/v1/x\"";

        put("billing", "{" + wrong + "}").statusCode(400).body("errors", hasSize(3));
        put("billing", "{\"hots\":\"billing\"," + wrong + "}")
                .statusCode(400)
                .body("errors.path", equalTo(List.of("hots", "pathPrefix", "upstreams[0]", "connectTimeout")))
                .body("errors[0].reason", containsString("unknown key; known keys: name, host, pathPrefix"));
        server.api().get("/v1/routes/billing").then().statusCode(404);
    }

    @Test
    void aBodyThatIsNotOneJsonObjectIsA400() throws Exception {
        start();
        for (String body : List.of("null", "[]", "\"billing\"", "42", "true")) {
            put("billing", body)
                    .statusCode(400)
                    .body("errors[0].path", equalTo("(body)"))
                    .body("errors[0].reason", containsString("must be a route: an object with keys name, host"));
        }
        for (String trailing : List.of(" garbage", "}", "{}", ",", " null")) {
            put("billing", valid() + trailing)
                    .statusCode(400)
                    .body("errors[0].path", equalTo("(body)"))
                    .body("detail", containsString("the body is not valid: (body): "));
        }
        put("billing", "{\"host\":\"billing\",}").statusCode(400).body("detail", containsString("is not valid JSON"));
        server.api().get("/v1/routes/billing").then().statusCode(404);
        put("billing", valid() + " \n").statusCode(201);
    }

    @Test
    void aRouteNameWithPathParametersIsRefusedWithTheNamesRules() throws Exception {
        start();
        for (String target : List.of("/v1/routes/a;b", "/v1/routes/a;", "/v1/routes/a%3Bb", "/v1/routes/Billing")) {
            try (RawHttp http = RawHttp.connect(server.socket())) {
                byte[] body = valid().getBytes(StandardCharsets.UTF_8);
                http.send(RawHttp.request(
                                "PUT", target, "Content-Type: application/json", "Content-Length: " + body.length)
                        + valid());
                RawHttp.Answer answer = http.readAnswer();

                assertThat(answer.status()).as(target + ": " + answer.body()).isEqualTo(400);
                ApiContract.assertProblem(answer.header("content-type"), answer.body());
                JsonNode problem = JSON.readTree(answer.body());
                assertThat(problem.get("detail").asText())
                        .startsWith("the route name in the path must be 1 to 64 lower-case letters, digits and dashes");
                assertThat(problem.get("instance").asText()).isEqualTo(target);
            }
        }
        try (RawHttp http = RawHttp.connect(server.socket())) {
            assertThat(http.exchange("GET", "/v1/routes/a;b").status()).isEqualTo(400);
        }
        server.api().get("/v1/routes/a").then().statusCode(404);
        server.api().get("/v1/routes").then().statusCode(200).body("$", hasSize(0));
    }

    @Test
    void aChangeTheStateFileCannotKeepIsA503AndIsNotMade() throws Exception {
        start();
        put("billing", valid()).statusCode(201);
        // The folder goes away under the running server.
        try (var files = Files.list(dir.resolve("state"))) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(dir.resolve("state"));

        put("orders", valid().replace("billing", "orders"))
                .statusCode(503)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:udsgate:problem:unavailable"))
                .body(
                        "detail",
                        equalTo("the change was not made: the route state file " + dir.resolve("state/routes.json")
                                + " cannot be written: folder " + dir.resolve("state") + " does not exist"));
        server.api().delete("/v1/routes/billing").then().statusCode(503);

        server.api().get("/v1/routes/orders").then().statusCode(404);
        server.api().get("/v1/routes/billing").then().statusCode(200);
    }
}
