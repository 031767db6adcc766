package dev.udsgate.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.util.Map;

/**
 * Something that happened, as logged: its place in the log, when, and what. The JSON fields of
 * {@code type} through {@code data} are the occurrence's own, computed when the event is written to
 * a subscriber: publishing one (at every accept and close) builds nothing else.
 *
 * @param seq position in this process's event log, from 1; SSE clients resume with it
 * @param time when, to the millisecond
 * @param occurrence what happened
 */
@JsonPropertyOrder({"seq", "type", "time", "listener", "connectionId", "user", "data"})
public record Event(long seq, Instant time, @JsonIgnore Occurrence occurrence) {

    /** The occurrence as logged now, at position {@code seq} (0: not in the log). */
    public static Event of(long seq, Occurrence occurrence) {
        return new Event(seq, Instant.ofEpochMilli(System.currentTimeMillis()), occurrence);
    }

    /** What happened, such as {@code connection.opened}. */
    @JsonProperty
    public String type() {
        return occurrence.type();
    }

    /** The listener it happened on, or null for the server as a whole. */
    @JsonProperty
    public String listener() {
        return occurrence.listener();
    }

    /** The connection it is about, or null. */
    @JsonProperty
    public String connectionId() {
        return occurrence.connectionId();
    }

    /** The peer user of that connection (its name, or its uid when nameless), or null. */
    @JsonProperty
    public String user() {
        return occurrence.user();
    }

    /** The event's own fields; a field may be null. */
    @JsonProperty
    public Map<String, Object> data() {
        return occurrence.data();
    }
}
