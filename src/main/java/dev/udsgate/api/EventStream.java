package dev.udsgate.api;

import dev.udsgate.events.Event;
import dev.udsgate.events.EventFilter;
import dev.udsgate.events.EventLog;
import dev.udsgate.events.Occurrence;
import dev.udsgate.events.Subscription;
import dev.udsgate.http.ApiHeaders;
import dev.udsgate.http.Json;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * One subscriber's response: events written as they come, newline-delimited JSON or Server-Sent
 * Events. Writes never overlap and never block: the iterating callback writes what the
 * subscription holds, and when a write completes, writes what has come meanwhile. A client that
 * stops reading stalls only its own stream; its bounded queue then drops events, and it is told
 * how many before the next one it gets.
 */
final class EventStream extends IteratingCallback {

    enum Format {
        NDJSON("application/x-ndjson", "\n"),
        SSE("text/event-stream", ":\n\n");

        final String contentType;
        final byte[] heartbeat;

        Format(String contentType, String heartbeat) {
            this.contentType = contentType;
            this.heartbeat = heartbeat.getBytes(StandardCharsets.UTF_8);
        }
    }

    private final Response response;
    private final Callback done;
    private final Format format;
    private final Instant until;
    private final Scheduler scheduler;
    private final Duration heartbeat;
    private volatile Subscription subscription;
    private volatile boolean untilReached;
    private volatile boolean heartbeatDue;
    private Scheduler.Task untilTask;
    private Scheduler.Task heartbeatTask;
    private boolean committed;
    private boolean finished;

    EventStream(
            Response response, Callback done, Format format, Instant until, Scheduler scheduler, Duration heartbeat) {
        this.response = response;
        this.done = done;
        this.format = format;
        this.until = until;
        this.scheduler = scheduler;
        this.heartbeat = heartbeat;
    }

    void start(EventLog log, EventFilter filter) {
        response.setStatus(200);
        response.getHeaders().put(ApiHeaders.API_VERSION);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, format.contentType);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache, no-store");
        subscription = log.subscribe(filter, this::iterate);
        if (until != null) {
            long millis = Duration.between(Instant.now(), until).toMillis();
            if (millis <= 0) {
                untilReached = true;
            } else {
                untilTask = scheduler.schedule(this::reachUntil, millis, TimeUnit.MILLISECONDS);
            }
        }
        scheduleHeartbeat();
        iterate();
    }

    @Override
    protected Action process() {
        Subscription current = subscription;
        if (current == null) {
            return Action.IDLE;
        }
        if (finished) {
            return Action.SUCCEEDED;
        }
        Subscription.Batch batch = current.drain();
        boolean last = batch.ended() || untilReached;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (batch.dropped() > 0) {
            write(out, dropped(batch.dropped()));
        }
        for (Event event : batch.events()) {
            if (until == null || !event.time().isAfter(until)) {
                write(out, event);
            }
        }
        if (out.size() == 0 && heartbeatDue && !last) {
            out.writeBytes(format.heartbeat);
        }
        if (out.size() == 0 && committed && !last) {
            return Action.IDLE;
        }
        heartbeatDue = false;
        committed = true;
        finished = last;
        // The first write, even empty, sends the headers: the client sees the stream open at once.
        response.write(last, ByteBuffer.wrap(out.toByteArray()), this);
        return Action.SCHEDULED;
    }

    private void write(ByteArrayOutputStream out, Event event) {
        byte[] json = Json.bytes(event);
        if (format == Format.SSE) {
            if (event.seq() > 0) {
                out.writeBytes(("id: " + event.seq() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            out.writeBytes(("event: " + event.type() + "\ndata: ").getBytes(StandardCharsets.UTF_8));
            out.writeBytes(json);
            out.writeBytes("\n\n".getBytes(StandardCharsets.UTF_8));
        } else {
            out.writeBytes(json);
            out.write('\n');
        }
    }

    /** Not in the log (its seq is 0): it says how many events this subscriber lost to its full queue. */
    private static Event dropped(long count) {
        return Event.of(0, new Occurrence.EventsDropped(count));
    }

    private void reachUntil() {
        untilReached = true;
        iterate();
    }

    private void scheduleHeartbeat() {
        heartbeatTask = scheduler.schedule(
                () -> {
                    heartbeatDue = true;
                    iterate();
                    scheduleHeartbeat();
                },
                heartbeat.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    protected void onCompleteSuccess() {
        release();
        done.succeeded();
    }

    @Override
    protected void onCompleteFailure(Throwable cause) {
        release();
        done.failed(cause);
    }

    private void release() {
        Subscription current = subscription;
        if (current != null) {
            current.close();
        }
        if (untilTask != null) {
            untilTask.cancel();
        }
        if (heartbeatTask != null) {
            heartbeatTask.cancel();
        }
    }
}
