package dev.udsgate.events;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Something that happened to a listener or a connection.
 *
 * @param seq position in this process's event log, from 1; SSE clients resume with it
 * @param type what happened, such as {@code connection.opened}
 * @param time when, to the millisecond
 * @param listener the listener it happened on, or null for the server as a whole
 * @param connectionId the connection it is about, or null
 * @param user the peer user of that connection (its name, or its uid when nameless), or null
 * @param data the event's own fields
 */
public record Event(
        long seq,
        String type,
        Instant time,
        String listener,
        String connectionId,
        String user,
        Map<String, Object> data) {

    public Event {
        // Insertion order, as the publisher wrote it; a field may be null.
        data = Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }

    /** The occurrence as logged now, at position {@code seq} (0: not in the log). */
    public static Event of(long seq, Occurrence occurrence) {
        return new Event(
                seq,
                occurrence.type(),
                Instant.now().truncatedTo(ChronoUnit.MILLIS),
                occurrence.listener(),
                occurrence.connectionId(),
                occurrence.user(),
                occurrence.data());
    }
}
