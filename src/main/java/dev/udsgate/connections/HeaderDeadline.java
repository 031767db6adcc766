package dev.udsgate.connections;

import dev.udsgate.config.DurationText;
import dev.udsgate.http.ApiHeaders;
import dev.udsgate.http.Json;
import dev.udsgate.http.Problem;
import dev.udsgate.http.ProblemKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.NanoTime;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Jetty's HTTP/1.1 connections, with a deadline for each request's head (request line and headers)
 * to arrive whole, as nginx's {@code client_header_timeout} and HAProxy's {@code timeout http-request}.
 * The idle timeout alone cannot do it: every byte restarts it, so a client trickling a byte every
 * few seconds would hold its connection for ever.
 *
 * <p>The deadline runs from accept for a connection's first request, and from the first byte of the
 * head for a later one (between requests the idle timeout applies, so a kept-alive client may stay
 * quiet). A client that has sent part of a head when it passes is answered {@code 408} and closed; one
 * that has sent nothing since accept is closed without an answer, as both proxies do.
 *
 * <p>Costs one scheduled task per connection (its first head), and one more per later head only if
 * that head does not arrive in one read; nothing per request otherwise.
 */
final class HeaderDeadline extends HttpConnectionFactory {

    private final long timeoutNanos;
    private final Runnable onTimeout;
    private final ByteBuffer answer;

    /** @param onTimeout told of each connection cut, on the scheduler's thread; must not block */
    HeaderDeadline(HttpConfiguration http, Duration timeout, Runnable onTimeout) {
        super(http);
        this.timeoutNanos = timeout.toNanos();
        this.onTimeout = onTimeout;
        this.answer = requestTimeout(timeout);
    }

    /** The whole 408 answer, made once: it is sent on a connection that has no request to answer through Jetty. */
    private static ByteBuffer requestTimeout(Duration timeout) {
        ProblemKind kind = ProblemKind.REQUEST_TIMEOUT;
        byte[] body = Json.bytes(Problem.of(
                kind,
                kind.status(),
                "the request's head (request line and headers) did not arrive within " + DurationText.format(timeout)
                        + " (--header-timeout)",
                null));
        String head = "HTTP/1.1 408 Request Timeout\r\n"
                + ApiHeaders.API_VERSION.getName() + ": " + ApiHeaders.API_VERSION.getValue() + "\r\n"
                + "Cache-Control: no-cache, no-store\r\n"
                + "Content-Type: " + Problem.MEDIA_TYPE + "\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer whole = ByteBuffer.allocate(headBytes.length + body.length);
        whole.put(headBytes).put(body).flip();
        return whole.asReadOnlyBuffer();
    }

    @Override
    public org.eclipse.jetty.io.Connection newConnection(Connector connector, EndPoint endPoint) {
        DeadlineConnection connection = new DeadlineConnection(getHttpConfiguration(), connector, endPoint);
        connection.setTransferEncodingChunkMaxLength(getTransferEncodingChunkMaxLength());
        return configure(connection, connector, endPoint);
    }

    /** True if the connection was closed because a request head did not arrive in time. */
    static boolean timedOut(org.eclipse.jetty.io.Connection connection) {
        return connection instanceof DeadlineConnection deadline && deadline.timedOut;
    }

    final class DeadlineConnection extends HttpConnection {

        private final long openedNanos = NanoTime.now();
        private final AtomicReference<Deadline> pending = new AtomicReference<>();
        private volatile boolean timedOut;

        DeadlineConnection(HttpConfiguration http, Connector connector, EndPoint endPoint) {
            super(http, connector, endPoint);
        }

        @Override
        protected RequestHandler newRequestHandler() {
            return new DeadlineRequestHandler();
        }

        @Override
        public void onOpen() {
            // Before Jetty may start reading, so that no head can complete before the deadline is set.
            arm(timeoutNanos);
            super.onOpen();
        }

        @Override
        public void onFillable() {
            if (getParser().isTerminated() && getEndPoint().isOutputShutdown()) {
                // An answer that closed the connection was sent whole: the client hung up (or sent
                // more, which no one reads). Jetty would read its EOF, close, then throw "Parser is
                // terminated" (an IOException in an UncheckedIOException) and catch it: two stack
                // traces for every such connection, 5% of the CPU a connection per request costs.
                close();
                return;
            }
            super.onFillable();
            // A later request's head that did not arrive in one read: its deadline starts now.
            HttpParser parser = getParser();
            if (pending.get() == null && parser.inHeaderState() && !parser.isStart()) {
                arm(timeoutNanos);
            }
        }

        /** A connection that ends while its head is awaited lets its deadline go at once, not when it is due. */
        @Override
        public void onClose(Throwable cause) {
            disarm();
            super.onClose(cause);
        }

        private void arm(long delayNanos) {
            Deadline task = new Deadline();
            if (pending.compareAndSet(null, task)) {
                task.scheduled = getConnector().getScheduler().schedule(task, delayNanos, TimeUnit.NANOSECONDS);
            }
        }

        private void disarm() {
            Deadline task = pending.getAndSet(null);
            if (task != null && task.scheduled != null) {
                task.scheduled.cancel();
            }
        }

        private void expire(Deadline task) {
            if (!pending.compareAndSet(task, null)) {
                return; // the head arrived meanwhile
            }
            HttpParser parser = getParser();
            boolean firstRequest = getMessagesIn() == 0;
            if (!parser.inHeaderState() || (parser.isStart() && !firstRequest)) {
                return; // no head is being read
            }
            // The parser knows when the head's first byte came; only the first request counts from accept.
            long began = firstRequest ? openedNanos : parser.getBeginNanoTime();
            long left = timeoutNanos - NanoTime.since(began);
            if (left > 0) {
                arm(left);
                return;
            }
            timedOut = true;
            onTimeout.run();
            EndPoint endPoint = getEndPoint();
            if (parser.isStart()) {
                endPoint.close();
                return;
            }
            try {
                endPoint.write(Callback.from(endPoint::close, failure -> endPoint.close()), answer.duplicate());
            } catch (RuntimeException writePending) {
                endPoint.close();
            }
        }

        private final class Deadline implements Runnable {
            volatile Scheduler.Task scheduled;

            @Override
            public void run() {
                expire(this);
            }
        }

        private final class DeadlineRequestHandler extends RequestHandler {
            @Override
            public boolean headerComplete() {
                disarm();
                return super.headerComplete();
            }

            @Override
            public void badMessage(HttpException failure) {
                disarm();
                super.badMessage(failure);
            }
        }
    }
}
