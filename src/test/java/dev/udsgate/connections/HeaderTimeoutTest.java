package dev.udsgate.connections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.udsgate.testing.ApiContract;
import dev.udsgate.testing.RawHttp;
import dev.udsgate.testing.TestServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The header timeout: a request's head must arrive whole within it, however the bytes trickle. The
 * idle timeout is long in every test here, so that only the header timeout can cut a connection.
 */
class HeaderTimeoutTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(50);
    /** Far longer than any deadline here, far shorter than the idle timeout. */
    private static final Duration GENEROUS = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private TestServer start(Duration headerTimeout) {
        server = TestServer.on(dir.resolve("udsgate.sock"))
                .idleTimeout(IDLE_TIMEOUT)
                .headerTimeout(headerTimeout)
                .start();
        return server;
    }

    @Test
    void aClientTricklingItsHeadIsAnswered408AtTheDeadlineWhileAnotherIsServed() throws Exception {
        Duration deadline = Duration.ofMillis(600);
        start(deadline);
        try (RawHttp slow = RawHttp.connect(server.socket())) {
            Duration took = trickleUntilCut(
                    slow,
                    "GET /_ping HTTP/1.1\r\nHost: localhost\r\nX-Slow: ",
                    () -> server.api().get("/_ping").then().statusCode(200));
            RawHttp.Answer answer = slow.readAnswer();

            assertThat(answer.status()).isEqualTo(408);
            assertThat(answer.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(answer.header("Connection")).isEqualTo("close");
            assertThat(answer.header("Api-Version")).isEqualTo("1.0");
            ApiContract.assertSchema("Problem", answer.body());
            assertThat(JSON.readTree(answer.body()).get("type").asText())
                    .isEqualTo("urn:udsgate:problem:request-timeout");
            assertThat(slow.isClosedByServer()).isTrue();
            assertThat(took).isGreaterThanOrEqualTo(deadline).isLessThan(GENEROUS);
        }
        JsonNode closed = awaitClosedWith("headerTimeout");
        assertThat(closed.get("requests").asInt()).isZero();
        server.api().get("/v1/socket").then().statusCode(200).body("limitHits.headerTimeout", equalTo(1));
    }

    @Test
    void aConnectionThatSendsNothingIsClosedWithoutAnAnswerAtTheDeadline() throws Exception {
        start(Duration.ofMillis(300));
        try (RawHttp silent = RawHttp.connect(server.socket())) {
            long began = System.nanoTime();

            assertThat(silent.isClosedByServer()).isTrue();

            assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(GENEROUS);
        }
        awaitClosedWith("headerTimeout");
    }

    @Test
    void aKeptAliveConnectionMayStayQuietBetweenRequestsForLongerThanTheDeadline() throws Exception {
        Duration deadline = Duration.ofMillis(300);
        start(deadline);
        try (RawHttp client = RawHttp.connect(server.socket())) {
            assertThat(client.exchange("GET", "/_ping").status()).isEqualTo(200);
            Thread.sleep(deadline.multipliedBy(3).toMillis());

            assertThat(client.exchange("GET", "/_ping").status()).isEqualTo(200);
        }
    }

    @Test
    void aHeadInPiecesThatArrivesWithinTheDeadlineIsServed() throws Exception {
        start(Duration.ofSeconds(5));
        try (RawHttp client = RawHttp.connect(server.socket())) {
            assertThat(client.exchange("GET", "/_ping").status()).isEqualTo(200);
            client.send("GET /_ping HTTP/1.1\r\nHo");
            Thread.sleep(200);
            client.send("st: localhost\r\n\r\n");

            assertThat(client.readAnswer().status()).isEqualTo(200);
        }
    }

    @Test
    void aLaterRequestIsHeldToTheDeadlineFromItsFirstByte() throws Exception {
        Duration deadline = Duration.ofMillis(600);
        start(deadline);
        try (RawHttp client = RawHttp.connect(server.socket())) {
            assertThat(client.exchange("GET", "/_ping").status()).isEqualTo(200);
            Thread.sleep(deadline.multipliedBy(2).toMillis());
            Duration took =
                    trickleUntilCut(client, "GET /v1/version HTTP/1.1\r\nHost: localhost\r\nX-Slow: ", () -> {});

            assertThat(client.readAnswer().status()).isEqualTo(408);
            assertThat(took).isGreaterThanOrEqualTo(deadline).isLessThan(GENEROUS);
        }
        JsonNode closed = awaitClosedWith("headerTimeout");
        assertThat(closed.get("requests").asInt()).isEqualTo(1);
    }

    private JsonNode awaitClosedWith(String reason) throws Exception {
        long deadline = System.nanoTime() + GENEROUS.toNanos();
        while (System.nanoTime() < deadline) {
            String list = server.api()
                    .get("/v1/connections?state=closed")
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString();
            for (JsonNode connection : JSON.readTree(list)) {
                if (reason.equals(connection.get("closeReason").asText())) {
                    return connection;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no connection closed with reason " + reason);
    }

    /**
     * Sends a head's start, then one more byte every 100 ms until the server cuts the connection (a
     * write fails) or {@link #GENEROUS} has passed; runs {@code meanwhile} once, after the first byte.
     * One thread does it all: a blocking channel's streams cannot read and write at once.
     *
     * @return how long it trickled
     */
    private static Duration trickleUntilCut(RawHttp connection, String start, ThrowingRunnable meanwhile)
            throws Exception {
        long began = System.nanoTime();
        connection.send(start);
        meanwhile.run();
        try {
            while (System.nanoTime() - began < GENEROUS.toNanos()) {
                Thread.sleep(100);
                connection.send("x");
            }
        } catch (IOException cut) {
            // what the test waits for: the server closed the connection
        }
        return Duration.ofNanos(System.nanoTime() - began);
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
