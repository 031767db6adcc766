package dev.udsgate.api;

import dev.udsgate.connections.ConnectionRegistry;
import dev.udsgate.connections.ConnectionSnapshot;
import dev.udsgate.connections.ConnectionState;
import dev.udsgate.http.Json;
import dev.udsgate.http.ProblemException;
import dev.udsgate.http.ProblemKind;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;

/** {@code /v1/connections}: who is connected, as the kernel says, and closing a connection. */
final class ConnectionEndpoints {

    private static final String SELF = "self";
    private static final Set<String> LIST_PARAMETERS = Set.of("state", "user", "listener");
    private static final String STATES =
            Arrays.stream(ConnectionState.values()).map(ConnectionState::label).collect(Collectors.joining(", "));

    private final ConnectionRegistry registry;

    private final ListenerNames listeners;

    ConnectionEndpoints(ConnectionRegistry registry, ListenerNames listeners) {
        this.registry = registry;
        this.listeners = listeners;
    }

    Reply list(ApiCall call) {
        Query query = Query.of(call, LIST_PARAMETERS);
        Optional<ConnectionState> state = query.single("state")
                .map(label -> ConnectionState.parse(label)
                        .orElseThrow(() -> ProblemException.badRequest(
                                "query parameter 'state' must be one of " + STATES + ", got '" + label + "'")));
        Optional<String> listener = query.single("listener");
        listener.ifPresent(listeners::require);
        return Reply.json(registry.list(state, query.user("user"), listener));
    }

    Reply self(ApiCall call) {
        return Reply.json(own(call));
    }

    Reply get(ApiCall call) {
        String id = call.pathParameter("id");
        return Reply.json(registry.find(id).orElseThrow(() -> unknown(id)));
    }

    /** Closing one's own connection is answered first; the connection closes after the answer. */
    Reply delete(ApiCall call) {
        String id = call.pathParameter("id");
        String target = SELF.equals(id) ? own(call).id() : id;
        if (!registry.kill(target, call.connection())) {
            throw registry.find(target)
                    .filter(c -> c.closedAt() != null)
                    .map(ConnectionEndpoints::alreadyClosed)
                    .orElseGet(() -> notOpen(id));
        }
        if (target.equals(own(call).id())) {
            return Reply.empty(204, Reply.header(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString()));
        }
        return Reply.empty(204);
    }

    private ConnectionSnapshot own(ApiCall call) {
        return registry.of(call.connection()).orElseThrow(() -> unknown(SELF));
    }

    /** The connection is known but closed: there is nothing left to close (409), unlike an unknown id (404). */
    private static ProblemException alreadyClosed(ConnectionSnapshot closed) {
        return new ProblemException(
                ProblemKind.CONFLICT,
                "connection '" + closed.id() + "' is already closed (" + closed.closeReason() + ", at "
                        + Json.TIME.format(closed.closedAt()) + "); only an open connection can be closed");
    }

    private static ProblemException notOpen(String id) {
        return ProblemException.notFound("no open connection with id '" + id + "'");
    }

    private static ProblemException unknown(String id) {
        return ProblemException.notFound("no open or recently closed connection with id '" + id + "'");
    }
}
