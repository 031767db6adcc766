package dev.udsgate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A client of {@code GET /v1/events} in NDJSON, reading in the background. Once {@link #open}
 * returns, the subscription is in place: the server sends the head only after subscribing.
 * Every event is checked against the contract's Event schema.
 */
public final class EventSubscriber implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String END = "\u0000end";

    private final RawHttp connection;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread reader;

    private EventSubscriber(RawHttp connection) {
        this.connection = connection;
        this.reader = new Thread(this::read, "event-subscriber");
        reader.setDaemon(true);
        reader.start();
    }

    public static EventSubscriber open(Path socket, String query) throws IOException {
        RawHttp connection = RawHttp.connect(socket);
        connection.send(RawHttp.request("GET", "/v1/events" + (query.isEmpty() ? "" : "?" + query)));
        RawHttp.Head head = connection.readHead();
        if (head.status() != 200
                || !"application/x-ndjson".equals(head.headers().get("content-type"))) {
            connection.close();
            throw new AssertionError("events stream answered " + head);
        }
        return new EventSubscriber(connection);
    }

    private void read() {
        try {
            for (String line = connection.readBodyLine(); line != null; line = connection.readBodyLine()) {
                if (!line.isBlank()) {
                    lines.add(line);
                }
            }
        } catch (IOException closed) {
            // the end, as below
        }
        lines.add(END);
    }

    /** The next event, or null if the stream ended or nothing came in time. */
    public JsonNode next(Duration timeout) {
        try {
            String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null || line.equals(END)) {
                if (line != null) {
                    lines.add(END);
                }
                return null;
            }
            ApiContract.assertSchema("Event", line);
            return JSON.readTree(line);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Events until one matches; fails if the stream ends or time runs out first. */
    public List<JsonNode> until(Predicate<JsonNode> last, Duration timeout) {
        List<JsonNode> seen = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode event = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (event == null) {
                throw new AssertionError("no matching event within " + timeout + "; saw " + seen);
            }
            seen.add(event);
            if (last.test(event)) {
                return seen;
            }
        }
    }

    /** Every event until the server ends the stream. */
    public List<JsonNode> toEnd(Duration timeout) {
        List<JsonNode> seen = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode event = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (event == null) {
                if (lines.peek() == END) {
                    return seen;
                }
                break;
            }
            seen.add(event);
        }
        throw new AssertionError("the stream did not end within " + timeout + "; saw " + seen);
    }

    @Override
    public void close() throws IOException {
        connection.close();
    }
}
