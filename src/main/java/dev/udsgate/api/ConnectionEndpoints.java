package dev.udsgate.api;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.udsgate.access.CallerAccess;
import dev.udsgate.config.AccessPolicy;
import dev.udsgate.connections.ConnectionRegistry;
import dev.udsgate.connections.ConnectionSnapshot;
import dev.udsgate.connections.ConnectionState;
import dev.udsgate.http.Json;
import dev.udsgate.http.ProblemException;
import dev.udsgate.http.ProblemKind;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Request;

/** {@code /v1/connections}: who is connected, as the kernel says, and closing a connection. */
final class ConnectionEndpoints {

    private static final String SELF = "self";
    private static final Set<String> LIST_PARAMETERS = Set.of("state", "user", "listener");
    private static final String STATES =
            Arrays.stream(ConnectionState.values()).map(ConnectionState::label).collect(Collectors.joining(", "));

    private final ConnectionRegistry registry;

    private final ListenerNames listeners;
    private final Function<Request, CallerAccess> access;

    ConnectionEndpoints(ConnectionRegistry registry, ListenerNames listeners, Function<Request, CallerAccess> access) {
        this.registry = registry;
        this.listeners = listeners;
        this.access = access;
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

    /** The caller's connection, and what applies to it on its listener: which rules, whether it may write. */
    Reply self(ApiCall call) {
        return Reply.json(new OwnConnection(own(call), AccessView.of(access.apply(call.request()))));
    }

    /** The connection's fields, and {@code access}. */
    record OwnConnection(@JsonUnwrapped ConnectionSnapshot connection, AccessView access) {}

    /**
     * @param mode {@code enforce} or {@code audit}
     * @param rules the listener's rules that apply to this caller, each with its index
     * @param unmatched what a request no rule matches gets: {@code deny} when the listener has
     *     rules, {@code allow} when it has none
     */
    record AccessView(String mode, List<IndexedRule> rules, String unmatched, boolean adminWrites) {
        static AccessView of(CallerAccess access) {
            AccessPolicy policy = access.listener().access();
            List<IndexedRule> rules = access.rules().stream()
                    .map(i -> new IndexedRule(
                            i, PolicyEndpoints.RuleView.of(policy.rules().get(i))))
                    .toList();
            return new AccessView(
                    policy.mode().label(), rules, policy.hasRules() ? "deny" : "allow", access.adminWrites());
        }
    }

    /** A rule as {@code GET /v1/policy} shows it, with its place in the listener's list. */
    record IndexedRule(int index, @JsonUnwrapped PolicyEndpoints.RuleView rule) {}

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
