package dev.udsgate.gateway.fast;

import dev.udsgate.gateway.AnswerParser;
import dev.udsgate.gateway.ClientWriter;
import dev.udsgate.gateway.UpstreamFailure;
import dev.udsgate.gateway.UpstreamInput;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;

/**
 * One keep-alive HTTP/1.1 connection to an upstream on the fast path: it sends one bodiless request
 * at a time and streams the response straight into the client's {@link Response}, reading from the
 * upstream only when the client has taken what was read before (so memory stays bounded whatever
 * the sizes). It runs on the selector thread: nothing here blocks.
 *
 * <p>Who ends an exchange is decided by one compare-and-set on {@link #state}: the read loop moving
 * it back to idle, or whoever closes the connection first.
 */
final class UpstreamConnection extends AbstractConnection.NonBlocking implements AnswerParser.Head {

    private static final int IDLE = 0;
    private static final int BUSY = 1;
    private static final int CLOSED = 2;

    private static final int HEAD_SIZE = 16 * 1024;
    private static final int MAX_RESPONSE_HEAD = 64 * 1024;

    private final UpstreamPool pool;
    private final AnswerParser answer;
    private final AtomicInteger state = new AtomicInteger(IDLE);
    private final ClientWriter toClient = new ClientWriter(this::resume, this::fail);
    private final Callback headWritten = new HeadWritten();
    private final AtomicInteger handoff = new AtomicInteger();
    /**
     * The connection's own buffer for request heads, reused: the next head is written only after
     * the last one's write called back. The server takes at most 8 KiB of headers; the gateway adds
     * few.
     */
    private ByteBuffer head;

    private final UpstreamInput input;
    /** Set before the state becomes BUSY, so the reader sees it once it sees BUSY. */
    private Forwarding exchange;

    private Forwarding first;

    private boolean servedBefore;
    private boolean answered;
    private boolean lastWritten;

    /** @param first the exchange it is opened for, or null to join the pool idle */
    UpstreamConnection(EndPoint endPoint, UpstreamPool pool, Forwarding first) {
        super(endPoint, pool.executor());
        this.pool = pool;
        this.input = new UpstreamInput(pool.buffers());
        this.answer = new AnswerParser(MAX_RESPONSE_HEAD, this);
        this.first = first;
        endPoint.setIdleTimeout(pool.idleTimeoutMillis());
    }

    @Override
    public void onOpen() {
        super.onOpen();
        // Always read-interested unless a read is being handled: an idle connection the upstream
        // closes is noticed at once, and a request sent needs no extra step to get its answer.
        fillInterested();
        Forwarding exchange = first;
        first = null;
        if (exchange == null) {
            handoff.set(1);
            offerWhenSent();
        } else if (reserve(exchange)) {
            exchange.succeeded(this);
        } else {
            exchange.failed(new EOFException("the upstream closed the connection as it opened"));
        }
    }

    /** Takes this idle connection for {@code exchange}; false if it closed meanwhile. */
    boolean reserve(Forwarding exchange) {
        this.exchange = exchange;
        answer.answersHead(exchange.isHead());
        if (state.compareAndSet(IDLE, BUSY)) {
            return true;
        }
        this.exchange = null;
        return false;
    }

    /** The buffer for the reserved exchange's request head, empty and ready to be written into. */
    ByteBuffer headToFill() {
        if (head == null) {
            head = ByteBuffer.allocateDirect(HEAD_SIZE);
        }
        return head.clear();
    }

    /** Sends the request head written into {@link #headToFill}; the answer arrives through {@link #onFillable}. */
    void sendHead() {
        handoff.set(0);
        getEndPoint().write(headWritten, head.flip());
    }

    /**
     * Back to the pool once both the request's write and the answer are done, in whichever order
     * they finish: Jetty calls a write's callback a moment after the bytes left, by which time the
     * answer may be in, and a write on a connection whose last write has not called back fails.
     */
    private void offerWhenSent() {
        if (handoff.incrementAndGet() == 2) {
            pool.release(this);
        }
    }

    private final class HeadWritten implements Callback {
        @Override
        public void succeeded() {
            offerWhenSent();
        }

        @Override
        public void failed(Throwable x) {
            // Written to a kept-alive connection the upstream had closed: nothing reached it.
            Forwarding failed = state.compareAndSet(BUSY, CLOSED) ? exchange : null;
            getEndPoint().close(x);
            if (failed != null) {
                failed.failed(servedBefore ? new UpstreamFailure.Stale() : x, false);
            }
        }

        @Override
        public InvocationType getInvocationType() {
            return InvocationType.NON_BLOCKING;
        }
    }

    @Override
    public void onFillable() {
        try {
            readAndParse();
        } catch (Throwable x) {
            fail(x);
        }
    }

    /**
     * Goes on after a write to the client that finished later: first with what was read already,
     * even nothing (the parser may only need to be told to finish the answer), then reading.
     */
    private void resume() {
        try {
            if (parse(input.bytes())) {
                readAndParse();
            }
        } catch (Throwable x) {
            fail(x);
        }
    }

    private void readAndParse() throws Exception {
        while (true) {
            int filled = input.fill(getEndPoint());
            if (filled == 0) {
                fillInterested();
                return;
            }
            if (filled < 0) {
                endOfStream();
                return;
            }
            ByteBuffer in = input.bytes();
            if (state.get() != BUSY) {
                // Bytes nobody asked for: the upstream does not speak HTTP/1.1 keep-alive properly.
                fail(new EOFException("unsolicited bytes from the upstream"));
                return;
            }
            answered = true;
            if (!parse(in)) {
                return;
            }
        }
    }

    /**
     * Parses what has been read, writing content to the client as it comes.
     *
     * @return true to read more; false when the loop must stop (a write to the client is pending,
     *     and its completion resumes; or the exchange ended)
     */
    private boolean parse(ByteBuffer in) {
        while (true) {
            int before = in.remaining();
            answer.parseNext(in);
            Throwable failure = answer.takeFailure();
            if (failure != null) {
                fail(failure);
                return false;
            }
            ByteBuffer content = answer.takeChunk();
            if (content != null) {
                if (!writeToClient(answer.chunkIsLast(), content)) {
                    return false;
                }
                continue;
            }
            if (answer.ended()) {
                if (answer.informational()) {
                    // 1xx before the answer (such as 103 Early Hints): not forwarded; the answer follows.
                    resetResponse();
                    answer.answersHead(exchange.isHead());
                    continue;
                }
                if (!lastWritten) {
                    if (!writeToClient(true, BufferUtil.EMPTY_BUFFER)) {
                        return false;
                    }
                    continue;
                }
                complete(in);
                return false;
            }
            if (!in.hasRemaining()) {
                return true;
            }
            if (in.remaining() == before) {
                // The parser takes nothing more (it cannot happen with a valid answer): never spin.
                fail(new IOException("the upstream sent bytes after its answer"));
                return false;
            }
        }
    }

    /**
     * Writes to the client.
     *
     * @return true if the write is already done and the loop goes on; false if it is pending (its
     *     callback resumes the loop) or failed (the exchange has ended)
     */
    private boolean writeToClient(boolean last, ByteBuffer content) {
        lastWritten |= last;
        return toClient.write(exchange.response(), last, content);
    }

    /** The whole answer is with the client: back to the pool (or closed), then the exchange succeeds. */
    private void complete(ByteBuffer in) {
        Forwarding done = exchange;
        boolean reusable = answer.keepAlive() && !in.hasRemaining() && answer.atRest();
        exchange = null;
        servedBefore = true;
        resetResponse();
        if (reusable && state.compareAndSet(BUSY, IDLE)) {
            input.release();
            fillInterested();
            offerWhenSent();
        } else if (state.compareAndSet(BUSY, CLOSED)) {
            input.drop();
            getEndPoint().close();
        } else {
            return; // closed meanwhile: whoever closed it ended the exchange
        }
        done.succeeded();
    }

    private void endOfStream() {
        if (state.get() == BUSY && !answered) {
            fail(
                    servedBefore
                            ? new UpstreamFailure.Stale()
                            : new EOFException("the upstream closed the connection before answering"));
            return;
        }
        if (state.get() == BUSY) {
            // The body may run to the end of the stream; otherwise the answer was cut short.
            answer.atEndOfStream();
            if (parse(BufferUtil.EMPTY_BUFFER) && state.get() == BUSY) {
                fail(new EOFException("the upstream closed the connection mid-answer"));
            }
            return;
        }
        // Idle: the upstream closed it. If it was taken meanwhile, its exchange may go elsewhere.
        fail(new UpstreamFailure.Stale());
    }

    /** Ends the exchange (if any) with {@code cause} and closes the connection. */
    private void fail(Throwable cause) {
        answer.takeFailure();
        answer.takeChunk();
        Forwarding failed = state.getAndSet(CLOSED) == BUSY ? exchange : null;
        exchange = null;
        input.drop();
        getEndPoint().close(cause);
        if (failed != null) {
            failed.failed(cause, answered);
        }
    }

    @Override
    public void onClose(Throwable cause) {
        super.onClose(cause);
        pool.closed(this);
        if (state.getAndSet(CLOSED) == BUSY) {
            // Closed by someone else than this connection's own failure handling: the gateway.
            Forwarding failed = exchange;
            exchange = null;
            if (failed != null) {
                failed.closedByGateway(cause == null ? new EOFException("closed by the gateway") : cause);
            }
        }
    }

    @Override
    public boolean onIdleExpired(TimeoutException timeout) {
        // A slow client holds the upstream's answer back: that is not the upstream's silence.
        return !toClient.waiting();
    }

    @Override
    public void onFillInterestedFailed(Throwable cause) {
        fail(cause);
    }

    private void resetResponse() {
        answer.reset();
        answered = false;
        lastWritten = false;
    }

    /** The answer's head: passed on to the client, unless it is a 1xx (not forwarded) or a 101 nobody asked for. */
    @Override
    public boolean complete(int status, List<HttpField> fields) {
        if (status == HttpStatus.SWITCHING_PROTOCOLS_101) {
            // The fast path never carries a request that asks to upgrade: what follows is not HTTP.
            answer.fail(new IOException("the upstream switched protocols unasked"));
            return true;
        }
        if (HttpStatus.isInformational(status)) {
            return false;
        }
        exchange.answerHead(status, fields);
        return false;
    }

    @Override
    public String toConnectionString() {
        return "UpstreamConnection@" + Integer.toHexString(hashCode()) + "{" + pool.upstream() + "}";
    }
}
