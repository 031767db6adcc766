package dev.udsgate.gateway.upgrade;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * One direction of a tunnel: what one end sends goes to the other. It reads again only once the
 * other end has taken what was read before, one buffer at a time, so a slow reader holds a fast
 * writer back (through the kernel's socket buffers) instead of filling memory. The source's end of
 * stream becomes a {@code shutdownOutput} of the sink: a half-close passes through, and the other
 * direction goes on.
 */
final class Pump implements Callback {

    /** The write handshake: was a write finished before {@code write} returned? */
    private static final int IDLE = 0;

    private static final int WRITING = 1;
    private static final int PENDING = 2;
    private static final int FAILED = 3;

    private final UpgradeTunnel tunnel;
    private final AbstractConnection source;
    private final EndPoint sink;
    private final RetainableByteBuffer buffer;
    private final AtomicInteger write = new AtomicInteger(IDLE);
    private final AtomicLong moved = new AtomicLong();
    private volatile boolean sourceClosed;

    Pump(UpgradeTunnel tunnel, AbstractConnection source, EndPoint sink, RetainableByteBuffer buffer) {
        this.tunnel = tunnel;
        this.source = source;
        this.sink = sink;
        this.buffer = buffer;
    }

    /** Bytes moved so far. */
    long moved() {
        return moved.get();
    }

    /** Sends what the source had sent before the tunnel opened, if anything, then reads. */
    void start(ByteBuffer early) {
        if (!BufferUtil.hasContent(early)) {
            source.fillInterested();
            return;
        }
        moved.addAndGet(early.remaining());
        write.set(PENDING);
        sink.write(this, early);
    }

    /** The source has bytes to read, or its end of stream. */
    void readable() {
        ByteBuffer bytes = buffer.getByteBuffer();
        try {
            while (true) {
                BufferUtil.clear(bytes);
                int filled = source.getEndPoint().fill(bytes);
                if (filled == 0) {
                    source.fillInterested();
                    return;
                }
                if (filled < 0) {
                    // Nothing is being written (reads wait for writes), so the sink may end now.
                    sink.shutdownOutput();
                    return;
                }
                moved.addAndGet(filled);
                write.set(WRITING);
                sink.write(this, bytes);
                if (write.compareAndSet(WRITING, PENDING)) {
                    return; // the write's completion goes on
                }
                if (write.get() == FAILED) {
                    return;
                }
            }
        } catch (Throwable x) {
            tunnel.abort(x);
        }
    }

    /**
     * The source's endpoint closed: what it sent and is being written still goes to the sink, then
     * the sink closes too (a closed end can neither send nor take anything more).
     */
    void sourceClosed() {
        sourceClosed = true;
        if (write.get() != PENDING) {
            sink.close();
        }
    }

    @Override
    public void succeeded() {
        if (write.compareAndSet(WRITING, IDLE)) {
            return; // written at once: the read loop goes on
        }
        write.set(IDLE);
        if (sourceClosed) {
            sink.close();
        } else {
            source.fillInterested();
        }
    }

    @Override
    public void failed(Throwable x) {
        write.set(FAILED);
        tunnel.abort(x);
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    void release() {
        buffer.release();
    }
}
