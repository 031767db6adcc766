package dev.udsgate.system;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The server's thread pool, with one exception to "every job goes to another thread": a client
 * connection resuming its reads while {@link #completeInline} runs is run right there.
 *
 * <p>Why: when a request completes after its handler returned (as every proxied request does, on
 * the thread that read the upstream's answer), Jetty hands the client connection's next read to
 * the pool. That hand-off wakes a thread per request, a context switch that cost the gateway a
 * quarter of its throughput. The handlers are all non-blocking, and the completing thread is
 * running non-blocking code itself, so reading the next request in place is what the selector
 * would have done anyway.
 */
public final class ServerThreadPool extends QueuedThreadPool {

    private static final ThreadLocal<Boolean> INLINE = new ThreadLocal<>();

    /** Runs {@code completion}; a connection it resumes is run in place rather than dispatched. */
    public static void completeInline(Runnable completion) {
        if (INLINE.get() != null) {
            completion.run();
            return;
        }
        INLINE.set(Boolean.TRUE);
        try {
            completion.run();
        } finally {
            INLINE.remove();
        }
    }

    @Override
    public void execute(Runnable job) {
        if (job instanceof Connection && INLINE.get() == Boolean.TRUE) {
            // Once per completion: what the resumed connection dispatches in turn goes to the pool.
            INLINE.set(Boolean.FALSE);
            job.run();
            return;
        }
        super.execute(job);
    }
}
