package dev.udsgate.gateway;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;

/**
 * Writes an upstream's answer into the client's {@link Response} a piece at a time, for a read loop
 * that reads no more until the client has taken what it was given (so memory stays bounded
 * whatever the answer's size). {@link #write} says whether the write is done already, and the loop
 * goes on at once on its own thread, or pending, and the loop stops: {@code resume} runs when the
 * write completes. The one handshake of the fast path's upstream connections and of the upgrade's.
 */
public final class ClientWriter {

    /** Was the write finished before {@link #write} returned? */
    private static final int WRITING = 0;

    private static final int WAITING = 1;
    private static final int WRITTEN = 2;

    private final AtomicInteger state = new AtomicInteger(WRITTEN);
    private final Callback written = new Written();
    private final Runnable resume;
    private final Consumer<Throwable> fail;
    /** A failure the write reported before {@link #write} returned; published by the state's CAS. */
    private Throwable failedAtOnce;

    /**
     * @param resume goes on with the read loop after a write that completed later
     * @param fail ends the exchange when a write fails
     */
    public ClientWriter(Runnable resume, Consumer<Throwable> fail) {
        this.resume = resume;
        this.fail = fail;
    }

    /**
     * @return true if the write is done and the loop goes on; false if it is pending ({@code resume}
     *     follows) or failed ({@code fail} was called)
     */
    public boolean write(Response response, boolean last, ByteBuffer content) {
        state.set(WRITING);
        response.write(last, content, written);
        if (state.compareAndSet(WRITING, WAITING)) {
            return false;
        }
        Throwable failure = failedAtOnce;
        if (failure != null) {
            failedAtOnce = null;
            fail.accept(failure);
            return false;
        }
        return true;
    }

    /** Whether a write waits for the client: it is the client, not the upstream, holding the answer back. */
    public boolean waiting() {
        return state.get() == WAITING;
    }

    private final class Written implements Callback {
        @Override
        public void succeeded() {
            if (state.compareAndSet(WRITING, WRITTEN)) {
                return;
            }
            state.set(WRITTEN);
            resume.run();
        }

        @Override
        public void failed(Throwable x) {
            failedAtOnce = x;
            if (state.compareAndSet(WRITING, WRITTEN)) {
                return;
            }
            failedAtOnce = null;
            state.set(WRITTEN);
            fail.accept(x);
        }

        @Override
        public InvocationType getInvocationType() {
            return InvocationType.NON_BLOCKING;
        }
    }
}
