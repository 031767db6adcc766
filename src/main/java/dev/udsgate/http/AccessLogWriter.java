package dev.udsgate.http;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the access log's lines from a thread of its own, so that a reader of standard output
 * that is slow or stopped (a full pipe) never slows a request: the request's thread only queues
 * its line, and a line that finds the queue full is dropped and counted rather than waited for.
 * The count is logged, at most once per {@link #DROPS_LOG_INTERVAL}, once the writer moves again.
 * Stopped with the server, after its last request: the lines queued by then are written first.
 */
public final class AccessLogWriter extends AbstractLifeCycle {

    private static final Logger LOG = LoggerFactory.getLogger(AccessLogWriter.class);

    /** About 2 MB of text at the usual 200 bytes a line: seconds of a busy server's traffic. */
    public static final int QUEUE_LINES = 10_000;

    static final Duration DROPS_LOG_INTERVAL = Duration.ofSeconds(10);
    /** How long a stop waits for the queue to be written: a stopped reader must not hold the exit. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(2);
    /** Lines written with one write: fewer system calls than one a line when requests come fast. */
    private static final int BATCH_LINES = 256;

    private final BlockingQueue<String> queue;
    private final int queueLines;
    private final PrintStream out;
    private final AtomicLong dropped = new AtomicLong();
    /** Only the writer's thread reads and writes these two. */
    private long reported;

    private long lastReportNanos = System.nanoTime() - DROPS_LOG_INTERVAL.toNanos();
    private volatile Thread thread;

    public AccessLogWriter(PrintStream out, int queueLines) {
        this.out = out;
        this.queue = new ArrayBlockingQueue<>(queueLines);
        this.queueLines = queueLines;
    }

    /** Queues one line; never blocks. */
    public void write(String line) {
        if (!queue.offer(line)) {
            dropped.incrementAndGet();
        }
    }

    /** Lines dropped since the start because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    @Override
    protected void doStart() {
        Thread writer = new Thread(this::run, "udsgate-access-log");
        writer.setDaemon(true);
        thread = writer;
        writer.start();
    }

    @Override
    protected void doStop() throws InterruptedException {
        Thread writer = thread;
        writer.interrupt();
        writer.join(DRAIN_TIMEOUT.toMillis());
    }

    private void run() {
        List<String> batch = new ArrayList<>(BATCH_LINES);
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                // Stopping: what is queued is written, then the thread ends.
                drainAndWrite(batch);
                reportDrops(true);
                return;
            }
            drainAndWrite(batch);
            reportDrops(false);
        }
    }

    private void drainAndWrite(List<String> batch) {
        do {
            queue.drainTo(batch, BATCH_LINES - batch.size());
            StringBuilder text = new StringBuilder(batch.size() * 200);
            batch.forEach(line -> text.append(line).append('\n'));
            out.print(text);
            out.flush();
            batch.clear();
        } while (!queue.isEmpty());
    }

    private void reportDrops(boolean stopping) {
        long now = System.nanoTime();
        long total = dropped.get();
        if (total == reported || (!stopping && now - lastReportNanos < DROPS_LOG_INTERVAL.toNanos())) {
            return;
        }
        LOG.warn(
                "access log: {} lines dropped ({} since the start): standard output did not keep up and the"
                        + " queue of {} lines was full",
                total - reported,
                total,
                queueLines);
        reported = total;
        lastReportNanos = now;
    }
}
