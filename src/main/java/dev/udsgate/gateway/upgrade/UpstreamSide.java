package dev.udsgate.gateway.upgrade;

import dev.udsgate.gateway.AnswerParser;
import dev.udsgate.gateway.ClientWriter;
import dev.udsgate.gateway.UpstreamInput;
import java.io.EOFException;
import java.io.IOException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Executor;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * The upstream's connection of one upgrade request: it sends the request head, reads the answer,
 * and then either passes a plain answer on (reading only as fast as the client takes it) and
 * closes, or, after a {@code 101}, becomes the upstream's end of the {@link UpgradeTunnel}. It runs on the
 * connector's selector: nothing here blocks.
 */
final class UpstreamSide extends AbstractConnection.NonBlocking implements AnswerParser.Head {

    /** The server takes at most 8 KiB of request headers; the gateway adds few. */
    private static final int HEAD_BYTES = 16 * 1024;

    private static final int MAX_ANSWER_HEAD_BYTES = 64 * 1024;

    private final UpgradeExchange exchange;
    private final ByteBufferPool buffers;
    private final AnswerParser answer;
    private final ClientWriter toClient = new ClientWriter(this::resume, this::fail);
    private final UpstreamInput input;
    private boolean switching;
    private boolean lastWritten;
    /** Set once the upstream has switched protocols; from then on reads go to the tunnel. */
    private volatile UpgradeTunnel tunnel;

    UpstreamSide(EndPoint endPoint, Executor executor, ByteBufferPool buffers, UpgradeExchange exchange) {
        super(endPoint, executor);
        this.exchange = exchange;
        this.buffers = buffers;
        this.input = new UpstreamInput(buffers);
        this.answer = new AnswerParser(MAX_ANSWER_HEAD_BYTES, this);
        answer.answersHead(exchange.isHead());
    }

    @Override
    public void onOpen() {
        super.onOpen();
        if (!exchange.connected()) {
            getEndPoint().close();
            return;
        }
        ByteBuffer head = ByteBuffer.allocate(HEAD_BYTES);
        try {
            exchange.target().writeHead(head);
        } catch (BufferOverflowException e) {
            fail(new IOException("the request head is too large to forward"));
            return;
        }
        getEndPoint().write(Callback.from(Callback.NOOP::succeeded, this::fail), head.flip());
        fillInterested();
    }

    UpgradeTunnel tunnel() {
        return tunnel;
    }

    @Override
    public void onFillable() {
        UpgradeTunnel switched = tunnel;
        if (switched != null) {
            switched.fromUpstream().readable();
            return;
        }
        try {
            readAndParse();
        } catch (Throwable x) {
            fail(x);
        }
    }

    private void readAndParse() throws IOException {
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
            if (!parse(in)) {
                return;
            }
        }
    }

    /** The upstream closed: a body may run to the end of the stream; anything else was cut short. */
    private void endOfStream() {
        if (answer.status() == 0) {
            fail(new EOFException("the upstream closed the connection before answering"));
            return;
        }
        answer.atEndOfStream();
        if (parse(BufferUtil.EMPTY_BUFFER) && tunnel == null) {
            fail(new EOFException("the upstream closed the connection mid-answer"));
        }
    }

    /**
     * Parses what has been read, writing the answer's content to the client as it comes.
     *
     * @return true to read more; false when the loop must stop (a write to the client is pending,
     *     and its completion resumes; or the exchange ended or switched)
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
            if (switching) {
                switchProtocols(in);
                return false;
            }
            ByteBuffer content = answer.takeChunk();
            if (content != null) {
                if (!writeToClient(false, content)) {
                    return false;
                }
                continue;
            }
            if (answer.ended()) {
                if (answer.informational()) {
                    // 100 Continue, 103 Early Hints: not forwarded; the answer follows.
                    resetAnswer();
                    continue;
                }
                if (!lastWritten) {
                    if (!writeToClient(true, BufferUtil.EMPTY_BUFFER)) {
                        return false;
                    }
                    continue;
                }
                // Settled before the close, whose onClose would otherwise count as a failure.
                exchange.answered();
                input.drop();
                getEndPoint().close();
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
     * The upstream switched protocols: what it sent after its {@code 101} is the tunnel's first
     * bytes for the client. The tunnel starts once the client's connection is handed over.
     */
    private void switchProtocols(ByteBuffer rest) {
        ByteBuffer early = BufferUtil.copy(rest);
        input.drop();
        Response response = exchange.response();
        response.setStatus(HttpStatus.SWITCHING_PROTOCOLS_101);
        exchange.target().copyAnswerHeaders(answer.fields(), response.getHeaders(), true);
        UpgradeTunnel switched = new UpgradeTunnel(exchange, this, early, buffers);
        tunnel = switched;
        exchange.switchTo(switched);
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

    /** Goes on after a write to the client that finished later: with what was read already, then reading. */
    private void resume() {
        try {
            if (parse(input.bytes())) {
                readAndParse();
            }
        } catch (Throwable x) {
            fail(x);
        }
    }

    /** Ends the exchange with {@code cause} and closes the connection. */
    private void fail(Throwable cause) {
        answer.takeFailure();
        answer.takeChunk();
        input.drop();
        exchange.fail(cause);
        getEndPoint().close(cause);
    }

    @Override
    public void onFillInterestedFailed(Throwable cause) {
        UpgradeTunnel switched = tunnel;
        if (switched != null) {
            switched.abort(cause);
        } else {
            fail(cause);
        }
    }

    @Override
    public void onClose(Throwable cause) {
        super.onClose(cause);
        input.drop();
        UpgradeTunnel switched = tunnel;
        if (switched != null) {
            switched.closed(this);
        } else {
            // Closed under the exchange (a stop): a no-op if the exchange has ended already.
            exchange.fail(cause == null ? new EOFException("the upstream connection closed") : cause);
        }
    }

    private void resetAnswer() {
        answer.reset();
        answer.answersHead(exchange.isHead());
    }

    /** The answer's head: after a {@code 101}, the tunnel's; a 1xx is not forwarded; else it goes to the client. */
    @Override
    public boolean complete(int status, List<HttpField> fields) {
        if (status == HttpStatus.SWITCHING_PROTOCOLS_101) {
            // Stop right after the head: what follows is the tunnel's, not HTTP.
            switching = true;
            return true;
        }
        if (HttpStatus.isInformational(status)) {
            return false;
        }
        Response response = exchange.response();
        response.setStatus(status);
        exchange.target().copyAnswerHeaders(fields, response.getHeaders(), false);
        return false;
    }

    @Override
    public String toConnectionString() {
        return "UpgradeUpstream@" + Integer.toHexString(hashCode());
    }
}
