package dev.udsgate.connections;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Says whether an occurrence of something that can come in floods (a refusal, a timeout) gets a log
 * line: the first one does, then at most one per interval, saying how many went unlogged in between.
 * Lock-free and allocation-free, for the accepting thread.
 */
final class OccasionalLog {

    static final Duration INTERVAL = Duration.ofSeconds(10);

    /** What {@link #occurred()} returns when this occurrence is only counted. */
    static final long QUIET = -1;

    private final long intervalNanos;
    private final AtomicLong nextLineNanos;
    private final AtomicLong unlogged = new AtomicLong();

    OccasionalLog(Duration interval) {
        this.intervalNanos = interval.toNanos();
        this.nextLineNanos = new AtomicLong(System.nanoTime());
    }

    /** @return {@link #QUIET}, or: log a line now, and this many occurrences since the last line went unlogged */
    long occurred() {
        long now = System.nanoTime();
        long next = nextLineNanos.get();
        if (now - next >= 0 && nextLineNanos.compareAndSet(next, now + intervalNanos)) {
            return unlogged.getAndSet(0);
        }
        unlogged.incrementAndGet();
        return QUIET;
    }

    /** The tail of a log line: how many like it were left out before it. */
    static String since(long unlogged) {
        return unlogged == 0
                ? ""
                : " (" + unlogged + " more since the last such line, within " + INTERVAL.toSeconds() + "s)";
    }
}
