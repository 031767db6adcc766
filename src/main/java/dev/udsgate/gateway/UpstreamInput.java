package dev.udsgate.gateway;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.util.BufferUtil;

/**
 * What an upstream connection has read and not yet parsed, in a pooled buffer held only while it
 * holds bytes: an idle connection keeps no buffer. One read loop uses it at a time.
 */
public final class UpstreamInput {

    private static final int BUFFER_BYTES = 16 * 1024;

    private final ByteBufferPool buffers;
    private RetainableByteBuffer input;

    public UpstreamInput(ByteBufferPool buffers) {
        this.buffers = buffers;
    }

    /**
     * Bytes to parse: those left from the last read, else as many as {@code endPoint} gives now.
     *
     * @return how many are there to parse ({@link #bytes}); 0 if none now (the buffer went back to
     *     the pool: wait to be fill-interested), -1 at the end of the stream
     */
    public int fill(EndPoint endPoint) throws IOException {
        if (input == null) {
            input = buffers.acquire(BUFFER_BYTES, true);
        }
        ByteBuffer in = input.getByteBuffer();
        if (in.hasRemaining()) {
            return in.remaining();
        }
        int filled = endPoint.fill(in);
        if (filled == 0) {
            release();
        }
        return filled;
    }

    /** What is left to parse; empty if nothing is. */
    public ByteBuffer bytes() {
        RetainableByteBuffer buffer = input;
        return buffer == null ? BufferUtil.EMPTY_BUFFER : buffer.getByteBuffer();
    }

    /** Gives the buffer back to the pool if nothing is left in it. */
    public void release() {
        RetainableByteBuffer buffer = input;
        if (buffer != null && !buffer.hasRemaining()) {
            input = null;
            buffer.release();
        }
    }

    /** Gives the buffer back, with whatever is left in it: the connection is done with it. */
    public void drop() {
        RetainableByteBuffer buffer = input;
        input = null;
        if (buffer != null) {
            buffer.release();
        }
    }
}
