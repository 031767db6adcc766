package dev.udsgate.events;

import java.time.Instant;
import java.util.Set;

/**
 * Which events a subscriber wants.
 *
 * @param since replay logged events from this time on; null: only events from now on
 * @param until end the stream at this time; null: never
 * @param types event types to keep; empty: all
 * @param users keep only events about a peer user spelt one of these ways (name or uid); empty: any
 * @param afterSeq replay only events after this sequence number (SSE's Last-Event-ID); 0: no bound
 * @param listeners keep only events about one of these listeners, by name; empty: any
 */
public record EventFilter(
        Instant since, Instant until, Set<String> types, Set<String> users, long afterSeq, Set<String> listeners) {

    public EventFilter {
        types = Set.copyOf(types);
        users = Set.copyOf(users);
        listeners = Set.copyOf(listeners);
    }

    /** Any listener's events. */
    public EventFilter(Instant since, Instant until, Set<String> types, Set<String> users, long afterSeq) {
        this(since, until, types, users, afterSeq, Set.of());
    }

    /** Whether {@code event} passes the type, user and listener filters (time is handled by the log). */
    public boolean wants(Event event) {
        return (types.isEmpty() || types.contains(event.type()))
                && (users.isEmpty() || (event.user() != null && users.contains(event.user())))
                && (listeners.isEmpty() || (event.listener() != null && listeners.contains(event.listener())));
    }

    boolean replays(Event event) {
        if (afterSeq > 0) {
            return event.seq() > afterSeq && wants(event);
        }
        return since != null
                && !event.time().isBefore(since)
                && (until == null || !event.time().isAfter(until))
                && wants(event);
    }
}
