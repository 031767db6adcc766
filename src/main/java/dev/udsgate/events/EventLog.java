package dev.udsgate.events;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * The lifecycle events of this process: a bounded in-memory history for replay, and live delivery
 * to subscribers. Events come at connection rate, never per request, so one lock is enough; it is
 * held only to append and to hand each subscriber a reference.
 */
public final class EventLog {

    private final int historySize;
    private final int subscriberQueue;
    private final ArrayDeque<Event> history;
    private final List<Subscription> subscribers = new CopyOnWriteArrayList<>();
    /**
     * Every event any subscriber lost to its full queue, counted as it is lost: a stalled subscriber
     * drains nothing, so counting what it is told would show nothing until it reads again.
     */
    private final LongAdder dropped = new LongAdder();

    private long lastSeq;
    private boolean closed;

    public EventLog(int historySize, int subscriberQueue) {
        this.historySize = historySize;
        this.subscriberQueue = subscriberQueue;
        this.history = new ArrayDeque<>(historySize);
    }

    /** Records an event and hands it to every subscriber. */
    public Event publish(Occurrence occurrence) {
        return publish(occurrence, System.currentTimeMillis());
    }

    /**
     * Records an event that happened at {@code epochMillis} (a time the caller read already: at every
     * accept and close, a second look at the clock would be one too many).
     */
    public Event publish(Occurrence occurrence, long epochMillis) {
        Event event;
        List<Subscription> toSignal = null;
        synchronized (this) {
            event = new Event(++lastSeq, Instant.ofEpochMilli(epochMillis), occurrence);
            if (history.size() == historySize) {
                history.removeFirst();
            }
            history.addLast(event);
            for (Subscription subscription : subscribers) {
                if (subscription.offer(event)) {
                    if (toSignal == null) {
                        toSignal = new ArrayList<>(subscribers.size());
                    }
                    toSignal.add(subscription);
                }
            }
        }
        // Outside the lock: a subscriber may start writing to its client right away.
        if (toSignal != null) {
            toSignal.forEach(Subscription::signal);
        }
        return event;
    }

    /**
     * Subscribes with the events the filter replays from history, then every new event it wants,
     * with no gap and no repeat between the two.
     *
     * @param onReady called, from any thread, whenever there is something to drain; must not block
     */
    public Subscription subscribe(EventFilter filter, Runnable onReady) {
        synchronized (this) {
            List<Event> replay = new ArrayList<>();
            for (Event event : history) {
                if (filter.replays(event)) {
                    replay.add(event);
                }
            }
            Subscription subscription = new Subscription(this, filter, subscriberQueue, replay, onReady);
            if (closed) {
                subscription.end();
            } else {
                subscribers.add(subscription);
            }
            return subscription;
        }
    }

    /** Events dropped for slow subscribers since the start, all of them together. */
    public long droppedTotal() {
        return dropped.sum();
    }

    void countDropped() {
        dropped.increment();
    }

    void unsubscribe(Subscription subscription) {
        subscribers.remove(subscription);
    }

    /** Ends every subscription (their streams finish once drained); later subscribers only get the history. */
    public void endSubscriptions() {
        List<Subscription> ending;
        synchronized (this) {
            closed = true;
            ending = List.copyOf(subscribers);
            subscribers.clear();
        }
        ending.forEach(Subscription::end);
    }
}
