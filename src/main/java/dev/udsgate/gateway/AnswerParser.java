package dev.udsgate.gateway;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpVersion;

/**
 * An upstream's answer as Jetty's parser reads it, for a read loop that streams it on to the client
 * as it comes: its status and header fields, handed to {@link Head} once complete; then its content,
 * one chunk per {@link #parseNext} that has one; whether it ended; and what went wrong, if anything.
 * The fast path's upstream connections and the upgrade's upstream side read answers through it.
 * Used by one read loop at a time; nothing here blocks.
 */
public final class AnswerParser implements HttpParser.ResponseHandler {

    /** What the read loop does once an answer's head is complete. */
    public interface Head {
        /**
         * @param fields the answer's header fields, valid until the next answer is parsed
         * @return true to stop the parser right after the head (after a {@code 101}, what follows is
         *     not HTTP); false to go on with the content
         */
        boolean complete(int status, List<HttpField> fields);
    }

    private final HttpParser parser;
    private final Head head;
    private final List<HttpField> fields = new ArrayList<>();
    private int status;
    private boolean keepAlive;
    private boolean ended;
    private ByteBuffer chunk;
    private boolean chunkIsLast;
    private Throwable failure;

    public AnswerParser(int maxHeadBytes, Head head) {
        this.parser = new HttpParser(this, maxHeadBytes);
        this.head = head;
    }

    /** Whether the answer is to a HEAD request: no content follows its head. */
    public void answersHead(boolean toHead) {
        parser.setHeadResponse(toHead);
    }

    /** Ready for the next answer (to a request that is not HEAD, until {@link #answersHead} says otherwise). */
    public void reset() {
        parser.reset();
        fields.clear();
        status = 0;
        keepAlive = false;
        ended = false;
        chunk = null;
        failure = null;
    }

    /** Parses what it can of {@code in}: up to the end of the head, of one chunk, or of the answer. */
    public void parseNext(ByteBuffer in) {
        parser.parseNext(in);
    }

    /** The upstream closed its end: an answer whose content runs to the end of the stream ends here. */
    public void atEndOfStream() {
        parser.atEOF();
    }

    /** The answer's header fields so far, valid until the next answer is parsed. */
    public List<HttpField> fields() {
        return fields;
    }

    /** The answer's status; 0 until its status line is read. */
    public int status() {
        return status;
    }

    /** A 1xx answer, which another answer follows. */
    public boolean informational() {
        return HttpStatus.isInformational(status);
    }

    /** Whether the upstream keeps the connection open after this answer (HTTP/1.1 without {@code Connection: close}). */
    public boolean keepAlive() {
        return keepAlive;
    }

    /** Whether the whole answer was parsed, and nothing of a next one: the connection may serve another request. */
    public boolean atRest() {
        return parser.isState(HttpParser.State.END);
    }

    /** The content the last {@link #parseNext} read, taken once; null if none. */
    public ByteBuffer takeChunk() {
        ByteBuffer content = chunk;
        chunk = null;
        return content;
    }

    /** Whether the chunk last taken ends the content (its length was given and is reached). */
    public boolean chunkIsLast() {
        return chunkIsLast;
    }

    /** Whether the answer ended. */
    public boolean ended() {
        return ended;
    }

    /** What went wrong in the answer, taken once; null if nothing did. */
    public Throwable takeFailure() {
        Throwable failed = failure;
        failure = null;
        return failed;
    }

    /** Fails the answer: for a {@link Head} that finds it wrong. */
    public void fail(Throwable cause) {
        failure = cause;
    }

    // HttpParser.ResponseHandler: called by parser.parseNext, on the thread of the read loop.

    @Override
    public void startResponse(HttpVersion version, int status, String reason) {
        this.status = status;
        this.keepAlive = version == HttpVersion.HTTP_1_1;
    }

    @Override
    public void parsedHeader(HttpField field) {
        if (field.getHeader() == HttpHeader.CONNECTION) {
            if (field.contains("close")) {
                keepAlive = false;
            } else if (field.contains("keep-alive")) {
                keepAlive = true;
            }
        }
        fields.add(field);
    }

    @Override
    public boolean headerComplete() {
        return head.complete(status, fields);
    }

    @Override
    public boolean content(ByteBuffer content) {
        chunk = content;
        chunkIsLast = !parser.isChunking()
                && parser.getContentLength() >= 0
                && parser.getContentRead() == parser.getContentLength();
        return true;
    }

    @Override
    public boolean contentComplete() {
        return false;
    }

    @Override
    public boolean messageComplete() {
        ended = true;
        return true;
    }

    @Override
    public void earlyEOF() {
        failure = new EOFException("the upstream closed the connection mid-answer");
    }

    @Override
    public void badMessage(HttpException failure) {
        this.failure = new IOException("the upstream sent an invalid answer: " + failure.getReason());
    }
}
