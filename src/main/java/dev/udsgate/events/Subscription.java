package dev.udsgate.events;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One subscriber's view of the log: a bounded queue that the publisher fills without ever waiting
 * and the subscriber drains at its own pace. When the queue is full, further events are counted as
 * dropped; the subscriber learns the count before its next event.
 */
public final class Subscription implements AutoCloseable {

    private final EventLog log;
    private final EventFilter filter;
    private final int capacity;
    private final Runnable onReady;
    private final ArrayDeque<Event> queue;
    private long dropped;
    private boolean ended;

    Subscription(EventLog log, EventFilter filter, int capacity, List<Event> replay, Runnable onReady) {
        this.log = log;
        this.filter = filter;
        this.capacity = capacity;
        this.onReady = onReady;
        this.queue = new ArrayDeque<>(Math.min(capacity, Math.max(16, replay.size())));
        replay.forEach(this::enqueue);
    }

    public EventFilter filter() {
        return filter;
    }

    /**
     * Called by the log, under its lock: queues without waiting.
     *
     * @return true if the subscriber should be told (call {@link #signal()} once the lock is released)
     */
    boolean offer(Event event) {
        if (!filter.wants(event)) {
            return false;
        }
        synchronized (this) {
            if (ended) {
                return false;
            }
            enqueue(event);
            return true;
        }
    }

    void signal() {
        onReady.run();
    }

    private void enqueue(Event event) {
        if (queue.size() >= capacity) {
            dropped++;
            log.countDropped();
        } else {
            queue.add(event);
        }
    }

    /** What the subscriber has not seen yet, and how many events were dropped before them. */
    public synchronized Batch drain() {
        List<Event> events = new ArrayList<>(queue);
        queue.clear();
        long droppedNow = dropped;
        dropped = 0;
        return new Batch(droppedNow, events, ended);
    }

    /** No more events will come: the stream should end once drained. */
    void end() {
        synchronized (this) {
            ended = true;
        }
        signal();
    }

    @Override
    public void close() {
        log.unsubscribe(this);
    }

    /**
     * @param dropped events lost to a full queue before {@code events}
     * @param ended true when the log has ended this subscription
     */
    public record Batch(long dropped, List<Event> events, boolean ended) {
        public boolean isEmpty() {
            return dropped == 0 && events.isEmpty() && !ended;
        }
    }
}
