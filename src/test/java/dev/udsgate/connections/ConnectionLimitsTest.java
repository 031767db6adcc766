package dev.udsgate.connections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.udsgate.config.ConnectionLimits;
import dev.udsgate.config.FileMode;
import dev.udsgate.testing.ApiContract;
import dev.udsgate.testing.RawHttp;
import dev.udsgate.testing.SocketFixtures;
import dev.udsgate.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A listener holds at most so many connections, and one user at most so many of them. */
class ConnectionLimitsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration GENEROUS = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    TestServer server;
    final List<RawHttp> held = new ArrayList<>();
    final List<Process> clients = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        clients.forEach(Process::destroyForcibly);
        for (RawHttp connection : held) {
            connection.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aConnectionOverTheListenersLimitIsClosedAtOnceAndEventedWhileTheOthersGoOn() throws Exception {
        server = TestServer.on(dir.resolve("udsgate.sock"))
                .limits(new ConnectionLimits(3, 3))
                .start();
        for (int i = 0; i < 3; i++) {
            held.add(servedConnection());
        }

        try (RawHttp refused = RawHttp.connect(server.socket())) {
            assertThat(refused.isClosedByServer()).isTrue();
        }

        for (RawHttp connection : held) {
            assertThat(connection.exchange("GET", "/_ping").status()).isEqualTo(200);
        }
        // Free the listener, so that the checks below have room however late the server sees the closes.
        for (RawHttp connection : held) {
            connection.close();
        }
        held.clear();
        awaitPing();
        List<JsonNode> refusals = refusedEvents();
        JsonNode event = refusals.get(0);
        assertThat(event.get("listener").asText()).isEqualTo("main");
        assertThat(event.get("connectionId").isNull()).isTrue();
        assertThat(event.get("user").isNull())
                .as("the peer is not read for this refusal")
                .isTrue();
        assertThat(event.get("data").get("reason").asText()).isEqualTo("listenerFull");
        assertThat(event.get("data").get("limit").asInt()).isEqualTo(3);
        server.api()
                .get("/v1/socket")
                .then()
                .statusCode(200)
                .body("limits.maxConnections", equalTo(3))
                .body("limitHits.listenerFull", equalTo(refusals.size()))
                .body("limitHits.userLimit", equalTo(0));
    }

    @Test
    void theServersOwnUserIsNotHeldToThePerUserLimit() throws Exception {
        server = TestServer.on(dir.resolve("udsgate.sock"))
                .limits(new ConnectionLimits(100, 1))
                .start();
        for (int i = 0; i < 3; i++) {
            held.add(servedConnection());
        }

        server.api()
                .get("/v1/socket")
                .then()
                .statusCode(200)
                .body("limits.maxConnectionsPerUser", equalTo(1))
                .body("limits.exemptUsers", org.hamcrest.Matchers.hasItem(System.getProperty("user.name")))
                .body("limitHits.userLimit", equalTo(0));
    }

    @Test
    void aUserOverItsLimitIsRefusedAndEventedWhileOthersAreServed() throws Exception {
        assumeTrue(SocketFixtures.isRoot(), "runs clients as nobody, which needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "needs curl");
        Path open = SocketFixtures.traversableFolder(dir);
        server = TestServer.on(open.resolve("udsgate.sock"))
                .mode(FileMode.parse("0666"))
                .limits(new ConnectionLimits(100, 2))
                .start();
        // Two event streams hold two connections of nobody's for as long as they run.
        clients.add(curlAsNobody("/v1/events"));
        clients.add(curlAsNobody("/v1/events"));
        awaitOpenConnectionsOf("nobody", 2);

        Process third = curlAsNobody("/_ping");
        assertThat(third.waitFor(GENEROUS.toSeconds(), TimeUnit.SECONDS)).isTrue();

        // Closed before curl saw its connect complete (7), before it read anything (52), or as it read (56);
        // the event below says it was this limit.
        assertThat(third.exitValue())
                .as("curl exit code (7: connection closed at once, 52: empty reply, 56: connection reset)")
                .isIn(7, 52, 56);
        assertThat(clients).allMatch(Process::isAlive);
        server.api().get("/_ping").then().statusCode(200);
        JsonNode event = refusedEvents().get(0);
        assertThat(event.get("user").asText()).isEqualTo("nobody");
        assertThat(event.get("data").get("reason").asText()).isEqualTo("userLimit");
        assertThat(event.get("data").get("limit").asInt()).isEqualTo(2);
        server.api().get("/v1/socket").then().statusCode(200).body("limitHits.userLimit", equalTo(1));
    }

    /** A connection that has been accepted and answered: it holds a place on the listener. */
    private RawHttp servedConnection() throws IOException {
        RawHttp connection = RawHttp.connect(server.socket());
        assertThat(connection.exchange("GET", "/_ping").status()).isEqualTo(200);
        return connection;
    }

    /** A closed connection frees its place as soon as the server sees the close: retry until then. */
    private void awaitPing() throws Exception {
        long deadline = System.nanoTime() + GENEROUS.toNanos();
        while (System.nanoTime() < deadline) {
            try (RawHttp probe = RawHttp.connect(server.socket())) {
                if (probe.exchange("GET", "/_ping").status() == 200) {
                    return;
                }
            } catch (IOException refused) {
                Thread.sleep(20);
            }
        }
        throw new AssertionError("no /_ping answered within " + GENEROUS);
    }

    private void awaitOpenConnectionsOf(String user, int count) throws Exception {
        long deadline = System.nanoTime() + GENEROUS.toNanos();
        while (System.nanoTime() < deadline) {
            int open = server.api()
                    .get("/v1/connections?user=" + user)
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath()
                    .getList("$")
                    .size();
            if (open == count) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(user + " never had " + count + " open connections");
    }

    /** Every connection.refused so far, from the event log's history. */
    private List<JsonNode> refusedEvents() throws Exception {
        String until = Instant.now().toString();
        String body = server.api()
                .get("/v1/events?since=0&until=" + until + "&type=connection.refused")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        List<JsonNode> events = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (!line.isBlank()) {
                ApiContract.assertSchema("Event", line);
                events.add(JSON.readTree(line));
            }
        }
        assertThat(events).as("connection.refused events").isNotEmpty();
        return events;
    }

    private Process curlAsNobody(String path) throws IOException {
        return new ProcessBuilder(
                        "runuser",
                        "-u",
                        "nobody",
                        "--",
                        "curl",
                        "-sN",
                        "--max-time",
                        "30",
                        "--unix-socket",
                        server.socket().toString(),
                        "http://localhost" + path)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }
}
