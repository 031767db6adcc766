package dev.udsgate.api;

import dev.udsgate.events.EventFilter;
import dev.udsgate.events.EventLog;
import dev.udsgate.http.ProblemException;
import dev.udsgate.system.UserDirectory;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** {@code /v1/events}: the lifecycle event stream, like {@code docker events} for the socket itself. */
final class EventEndpoints {

    private static final Set<String> PARAMETERS = Set.of("since", "until", "type", "user", "listener");

    private final EventLog log;
    private final UserDirectory directory;
    private final Duration heartbeatInterval;
    private final ListenerNames listeners;

    EventEndpoints(EventLog log, UserDirectory directory, Duration heartbeatInterval, ListenerNames listeners) {
        this.log = log;
        this.listeners = listeners;
        this.directory = directory;
        this.heartbeatInterval = heartbeatInterval;
    }

    void stream(ApiCall call, Response response, Callback callback) {
        Query query = Query.of(call, PARAMETERS);
        Instant since = query.time("since").orElse(null);
        Instant until = query.time("until").orElse(null);
        if (since != null && until != null && until.isBefore(since)) {
            throw ProblemException.badRequest("'until' is before 'since': no event can match");
        }
        Set<String> users = query.user("user").map(directory::spellingsOfUser).orElse(Set.of());
        long afterSeq = lastEventId(call);
        Set<String> listeners = Set.copyOf(query.all("listener"));
        listeners.forEach(this.listeners::require);
        EventFilter filter = new EventFilter(since, until, Set.copyOf(query.all("type")), users, afterSeq, listeners);
        EventStream.Format format =
                EventFormats.chosenBy(call.request().getHeaders().get(HttpHeader.ACCEPT));
        new EventStream(
                        response,
                        callback,
                        format,
                        until,
                        call.request().getComponents().getScheduler(),
                        heartbeatInterval)
                .start(log, filter);
    }

    /** An SSE client reconnecting says which event it saw last; it resumes right after it. */
    private static long lastEventId(ApiCall call) {
        String id = call.request().getHeaders().get("Last-Event-ID");
        if (id == null || id.isBlank()) {
            return 0;
        }
        try {
            return Long.parseLong(id.strip());
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest("Last-Event-ID must be the id of an event, a number; got '" + id + "'");
        }
    }
}
