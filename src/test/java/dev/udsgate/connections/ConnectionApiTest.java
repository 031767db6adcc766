package dev.udsgate.connections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.udsgate.config.FileMode;
import dev.udsgate.config.HistoryLimits;
import dev.udsgate.testing.ApiContract;
import dev.udsgate.testing.RawHttp;
import dev.udsgate.testing.SocketFixtures;
import dev.udsgate.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionApiTest {

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

    private TestServer start() {
        server = TestServer.start(dir.resolve("udsgate.sock"));
        return server;
    }

    @Test
    void selfShowsTheCallerAsTheKernelSeesIt() throws Exception {
        start();
        long uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");

        server.api()
                .get("/v1/connections/self")
                .then()
                .statusCode(200)
                .body("peer.user.id", equalTo((int) uid))
                .body("peer.user.name", equalTo(System.getProperty("user.name")))
                .body("state", equalTo("active"))
                .body("listener", equalTo("main"))
                .body("socketPath", equalTo(server.socket().toString()))
                .body("requests", equalTo(1))
                .body("closedAt", equalTo(null));
    }

    @Test
    void aClaimedIdentityInAHeaderChangesNothing() {
        start();
        server.api()
                .header("X-Forwarded-User", "admin")
                .header("Remote-User", "admin")
                .get("/v1/connections/self")
                .then()
                .statusCode(200)
                .body("peer.user.name", equalTo(System.getProperty("user.name")));
    }

    @Test
    void requestAndByteCountersFollowTheConnection() throws Exception {
        start();
        try (RawHttp connection = RawHttp.connect(server.socket())) {
            RawHttp.Answer first = connection.exchange("GET", "/_ping");
            RawHttp.Answer second = connection.exchange("GET", "/v1/version");
            long sentBefore = connection.bytesSent();
            RawHttp.Answer self = connection.exchange("GET", "/v1/connections/self");
            ApiContract.assertSchema("Connection", self.body());

            JsonNode body = JSON.readTree(self.body());
            assertThat(body.get("requests").asLong()).isEqualTo(3);
            assertThat(body.get("bytesIn").asLong()).isEqualTo(connection.bytesSent());
            assertThat(connection.bytesSent()).isGreaterThan(sentBefore);
            // What was sent before this answer: the two earlier answers, whole.
            assertThat(body.get("bytesOut").asLong()).isEqualTo(first.size() + second.size());
        }
    }

    @Test
    void listShowsIdleAndActiveConnectionsAndFiltersThem() throws Exception {
        start();
        try (RawHttp idle = RawHttp.connect(server.socket())) {
            idle.exchange("GET", "/_ping");
            String idleId = idOf(idle);

            server.api()
                    .get("/v1/connections?state=idle")
                    .then()
                    .statusCode(200)
                    .body("id", hasItem(idleId));
            server.api()
                    .get("/v1/connections?state=active")
                    .then()
                    .statusCode(200)
                    .body("id", not(hasItem(idleId)))
                    .body("state", hasItem("active"));
            server.api()
                    .get("/v1/connections?user=" + System.getProperty("user.name"))
                    .then()
                    .statusCode(200)
                    .body("id", hasItem(idleId));
            server.api()
                    .get("/v1/connections?user=no-such-user")
                    .then()
                    .statusCode(200)
                    .body("size()", equalTo(0));
        }
    }

    @Test
    void badFiltersAreProblemsThatNameTheParameter() {
        start();
        server.api()
                .get("/v1/connections?state=sleeping")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("'state' must be one of active, idle, upgraded, closed"));
        server.api()
                .get("/v1/connections?usr=root")
                .then()
                .statusCode(400)
                .body("detail", containsString("unknown query parameter 'usr'"));
    }

    @Test
    void closedConnectionsAreKeptInABoundedHistory() throws Exception {
        server = TestServer.on(dir.resolve("udsgate.sock"))
                .history(new HistoryLimits(3, 100, 100))
                .start();
        for (int i = 0; i < 5; i++) {
            server.api().get("/_ping").then().statusCode(200);
        }
        awaitClosedCount(3);

        String closed = server.api()
                .get("/v1/connections?state=closed")
                .then()
                .statusCode(200)
                .body("size()", equalTo(3))
                .body("state", equalTo(List.of("closed", "closed", "closed")))
                .body("closeReason", equalTo(List.of("client", "client", "client")))
                .extract()
                .asString();
        JsonNode list = JSON.readTree(closed);
        assertThat(list.get(0).get("closedAt").isNull()).isFalse();
        assertThat(Long.parseLong(list.get(2).get("id").asText()))
                .isGreaterThan(Long.parseLong(list.get(0).get("id").asText()));
    }

    @Test
    void unknownConnectionIsA404Problem() {
        start();
        server.api().get("/v1/connections/999999").then().statusCode(404).contentType("application/problem+json");
        server.api().delete("/v1/connections/999999").then().statusCode(404);
    }

    @Test
    void deletingAConnectionThatIsAlreadyClosedSaysSoWithA409() throws Exception {
        start();
        String id;
        try (RawHttp gone = RawHttp.connect(server.socket())) {
            gone.exchange("GET", "/_ping");
            id = idOf(gone);
        }
        awaitState(id, "closed");

        server.api()
                .delete("/v1/connections/" + id)
                .then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:udsgate:problem:conflict"))
                .body("detail", containsString("connection '" + id + "' is already closed (client, at "))
                .body("detail", not(containsString("no open or recently closed")));
        server.api()
                .delete("/v1/connections/999999")
                .then()
                .statusCode(404)
                .body("detail", equalTo("no open connection with id '999999'"));
    }

    @Test
    void deleteClosesTheClientsConnection() throws Exception {
        start();
        try (RawHttp victim = RawHttp.connect(server.socket())) {
            victim.exchange("GET", "/_ping");
            String id = idOf(victim);

            server.api().delete("/v1/connections/" + id).then().statusCode(204);

            assertThat(victim.isClosedByServer()).isTrue();
            awaitState(id, "closed");
            server.api()
                    .get("/v1/connections/" + id)
                    .then()
                    .statusCode(200)
                    .body("state", equalTo("closed"))
                    .body("closeReason", equalTo("killed"));
        }
    }

    @Test
    void closingOnesOwnConnectionIsAnsweredBeforeItCloses() throws Exception {
        start();
        try (RawHttp self = RawHttp.connect(server.socket())) {
            RawHttp.Answer answer = self.exchange("DELETE", "/v1/connections/self");

            assertThat(answer.status()).isEqualTo(204);
            assertThat(answer.header("Connection")).isEqualTo("close");
            assertThat(self.isClosedByServer()).isTrue();
        }
    }

    @Test
    void idleConnectionsCloseWithTheReasonSaid() throws Exception {
        server = TestServer.on(dir.resolve("udsgate.sock"))
                .idleTimeout(Duration.ofMillis(300))
                .start();
        try (RawHttp quiet = RawHttp.connect(server.socket())) {
            quiet.exchange("GET", "/_ping");
            String id = idOf(quiet);

            assertThat(quiet.isClosedByServer()).isTrue();
            awaitState(id, "closed");
            server.api().get("/v1/connections/" + id).then().body("closeReason", equalTo("idleTimeout"));
        }
    }

    @Test
    void connectionsOfAnotherUserShowThatUser() throws Exception {
        assumeTrue(SocketFixtures.isRoot(), "runs a client as nobody, which needs root");
        Path open = SocketFixtures.traversableFolder(dir);
        server = TestServer.start(open.resolve("udsgate.sock"), FileMode.parse("0666"), Optional.empty());

        Process curl = new ProcessBuilder(
                        "runuser",
                        "-u",
                        "nobody",
                        "--",
                        "curl",
                        "-sf",
                        "--unix-socket",
                        server.socket().toString(),
                        "http://localhost/v1/connections/self")
                .redirectErrorStream(true)
                .start();
        assertThat(curl.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String body = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.exitValue()).as(body).isZero();

        ApiContract.assertSchema("Connection", body);
        JsonNode peer = JSON.readTree(body).get("peer");
        assertThat(peer.get("user").get("name").asText()).isEqualTo("nobody");
        assertThat(peer.get("user").get("id").asLong()).isEqualTo(65534);
        assertThat(peer.get("group").get("name").asText()).isEqualTo("nogroup");
        server.api()
                .get("/v1/connections?state=closed&user=nobody")
                .then()
                .statusCode(200)
                .body("size()", equalTo(1));
    }

    private String idOf(RawHttp connection) throws Exception {
        RawHttp.Answer self = connection.exchange("GET", "/v1/connections/self");
        ApiContract.assertSchema("Connection", self.body());
        return JSON.readTree(self.body()).get("id").asText();
    }

    private void awaitState(String id, String state) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            if (server.api()
                    .get("/v1/connections/" + id)
                    .then()
                    .extract()
                    .path("state")
                    .equals(state)) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("connection " + id + " never became " + state);
    }

    private void awaitClosedCount(int count) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            if (server.api()
                            .get("/v1/connections?state=closed")
                            .then()
                            .extract()
                            .jsonPath()
                            .getList("$")
                            .size()
                    >= count) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("fewer than " + count + " closed connections");
    }
}
