package dev.udsgate.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.udsgate.config.HistoryLimits;
import dev.udsgate.testing.ApiContract;
import dev.udsgate.testing.EventSubscriber;
import dev.udsgate.testing.RawHttp;
import dev.udsgate.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventStreamTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);

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
    void aWatchedConnectionIsSeenOpeningThenClosing() throws Exception {
        start();
        try (EventSubscriber events =
                EventSubscriber.open(server.socket(), "type=connection.opened&type=connection.closed")) {
            String id;
            try (RawHttp watched = RawHttp.connect(server.socket())) {
                id = JSON.readTree(
                                watched.exchange("GET", "/v1/connections/self").body())
                        .get("id")
                        .asText();
            }

            List<JsonNode> seen = events.until(e -> isAbout(e, "connection.closed", id), WAIT);

            JsonNode opened = seen.stream()
                    .filter(e -> isAbout(e, "connection.opened", id))
                    .findFirst()
                    .orElseThrow();
            JsonNode closed = seen.get(seen.size() - 1);
            assertThat(opened.get("seq").asLong()).isLessThan(closed.get("seq").asLong());
            assertThat(opened.at("/data/peer/user/name").asText()).isEqualTo(System.getProperty("user.name"));
            assertThat(opened.get("user").asText()).isEqualTo(System.getProperty("user.name"));
            assertThat(closed.at("/data/reason").asText()).isEqualTo("client");
            assertThat(closed.at("/data/requests").asLong()).isEqualTo(1);
            assertThat(seen).allMatch(e -> e.get("type").asText().startsWith("connection."));
        }
    }

    @Test
    void serverSentEventsCarryIdEventAndData() throws Exception {
        start();
        try (RawHttp client = RawHttp.connect(server.socket())) {
            client.send(RawHttp.request("GET", "/v1/events?type=connection.opened", "Accept: text/event-stream"));
            RawHttp.Head head = client.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.headers().get("content-type")).isEqualTo("text/event-stream");

            server.api().get("/_ping");

            String id = client.readBodyLine();
            String event = client.readBodyLine();
            String data = client.readBodyLine();
            assertThat(id).matches("id: \\d+");
            assertThat(event).isEqualTo("event: connection.opened");
            assertThat(data).startsWith("data: ");
            ApiContract.assertSchema("Event", data.substring("data: ".length()));
            assertThat(client.readBodyLine()).isEmpty();
        }
    }

    @Test
    void sinceAndUntilReplayThePastAndEndTheStream() throws Exception {
        start();
        Instant from = Instant.now();
        server.api().get("/_ping");
        server.api().get("/_ping");
        Thread.sleep(20);
        Instant to = Instant.now();
        server.api().get("/_ping");

        for (String query :
                List.of("since=" + from + "&until=" + to, "since=" + seconds(from) + "&until=" + seconds(to))) {
            try (EventSubscriber replay = EventSubscriber.open(server.socket(), query + "&type=connection.opened")) {
                List<JsonNode> events = replay.toEnd(WAIT);
                assertThat(events).as(query).hasSizeGreaterThanOrEqualTo(2);
                assertThat(events)
                        .allMatch(e -> !Instant.parse(e.get("time").asText()).isBefore(from.minusMillis(1))
                                && !Instant.parse(e.get("time").asText()).isAfter(to));
            }
        }
    }

    @Test
    void theListenersLifeIsInTheLog() throws Exception {
        start();
        try (EventSubscriber replay = EventSubscriber.open(
                server.socket(), "since=0&until=" + seconds(Instant.now().plusMillis(1)))) {
            List<String> types = replay.toEnd(WAIT).stream()
                    .map(e -> e.get("type").asText())
                    .filter(t -> t.startsWith("listener."))
                    .toList();
            assertThat(types).containsExactly("listener.created", "listener.bound", "listener.listening");
        }
    }

    @Test
    void theUserFilterTakesANameOrAUid() throws Exception {
        start();
        String name = System.getProperty("user.name");
        long uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        server.api().get("/_ping");
        String until = seconds(Instant.now().plusMillis(1));

        for (String user : List.of(name, Long.toString(uid))) {
            String query = "since=0&until=" + until + "&type=connection.opened&user=" + user;
            try (EventSubscriber replay = EventSubscriber.open(server.socket(), query)) {
                assertThat(replay.toEnd(WAIT))
                        .as(user)
                        .isNotEmpty()
                        .allMatch(e -> e.get("user").asText().equals(name));
            }
        }
        try (EventSubscriber replay =
                EventSubscriber.open(server.socket(), "since=0&until=" + until + "&user=no-such-user")) {
            assertThat(replay.toEnd(WAIT)).isEmpty();
        }
    }

    @Test
    void badTimesAreProblems() {
        start();
        server.api()
                .get("/v1/events?since=yesterday")
                .then()
                .statusCode(400)
                .body("detail", containsString("'since' must be an RFC 3339 time"));
        server.api()
                .get("/v1/events?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z")
                .then()
                .statusCode(400)
                .body("detail", containsString("'until' is before 'since'"));
    }

    @Test
    void stoppingTheServerEndsStreamsAndStaysGraceful() throws Exception {
        start();
        try (EventSubscriber events = EventSubscriber.open(server.socket(), "")) {
            var result = server.gate().stop();

            List<JsonNode> last = events.toEnd(WAIT);
            assertThat(last).extracting(e -> e.get("type").asText()).contains("server.stopping");
            assertThat(result.graceful()).isTrue();
            assertThat(result.took()).isLessThan(Duration.ofSeconds(2));
        }
    }

    /**
     * A subscriber that stops reading must cost the others nothing. The same burst of connections
     * is timed with one reading subscriber, then again with a stalled one beside it.
     */
    @Test
    void aStalledSubscriberDoesNotSlowTheOthers() throws Exception {
        server = TestServer.on(dir.resolve("udsgate.sock"))
                .history(new HistoryLimits(16, 16, 64))
                .start();
        int connections = 1500;

        long alone = timeBurst(connections);
        long besideStalled;
        try (RawHttp stalled = RawHttp.connect(server.socket())) {
            stalled.send(RawHttp.request("GET", "/v1/events"));
            assertThat(stalled.readHead().status()).isEqualTo(200);
            besideStalled = timeBurst(connections);

            // Now it reads: first what fitted in its queue and the socket, then how much it lost.
            long dropped = 0;
            for (String line = stalled.readBodyLine(); line != null && dropped == 0; line = stalled.readBodyLine()) {
                if (line.contains("\"events.dropped\"")) {
                    ApiContract.assertSchema("Event", line);
                    dropped = JSON.readTree(line).at("/data/count").asLong();
                }
            }
            assertThat(dropped).isPositive();
        }
        System.out.printf(
                "event burst of %d connections: %d ms with one subscriber, %d ms beside a stalled one%n",
                connections, alone, besideStalled);
        assertThat(besideStalled).isLessThan(alone * 3 + 1000);
    }

    /** Opens and closes connections; returns the ms until a reading subscriber has seen all their events, in order. */
    private long timeBurst(int connections) throws IOException {
        try (EventSubscriber reader = EventSubscriber.open(server.socket(), "type=connection.closed")) {
            long start = System.nanoTime();
            for (int i = 0; i < connections; i++) {
                try (RawHttp connection = RawHttp.connect(server.socket())) {
                    connection.exchange("GET", "/_ping");
                }
            }
            long previous = 0;
            for (int i = 0; i < connections; i++) {
                JsonNode event = reader.next(WAIT);
                assertThat(event)
                        .as("closed event %d of %d", i + 1, connections)
                        .isNotNull();
                assertThat(event.get("type").asText()).isEqualTo("connection.closed");
                assertThat(event.get("seq").asLong()).isGreaterThan(previous);
                previous = event.get("seq").asLong();
            }
            return (System.nanoTime() - start) / 1_000_000;
        }
    }

    private static boolean isAbout(JsonNode event, String type, String connectionId) {
        return event.get("type").asText().equals(type)
                && connectionId.equals(event.get("connectionId").asText());
    }

    private static String seconds(Instant time) {
        return String.format("%d.%03d", time.getEpochSecond(), time.getNano() / 1_000_000);
    }
}
