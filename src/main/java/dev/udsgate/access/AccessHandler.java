package dev.udsgate.access;

import dev.udsgate.config.AccessPolicy;
import dev.udsgate.config.CanonicalPath;
import dev.udsgate.config.Exposure;
import dev.udsgate.config.ListenerConfig;
import dev.udsgate.config.RouteRules;
import dev.udsgate.events.EventLog;
import dev.udsgate.events.Occurrence;
import dev.udsgate.http.ProblemException;
import dev.udsgate.http.ProblemKind;
import dev.udsgate.http.ProblemWriter;
import dev.udsgate.http.RequestId;
import dev.udsgate.socket.UnixListener;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where access is decided, before the API and the gateway: a listener's rules
 * ({@link AccessPolicy}) on the peer's kernel identity, the method, the canonical path and the route,
 * and the API's writes kept for root and udsgate's own user.
 *
 * <p>What depends on the peer alone is worked out once per connection and kept with it
 * ({@link PeerMatches}); a request adds only its method, path and, for rules that name routes, the
 * route the gateway would give it. A listener with no rules costs a request one look at its method.
 *
 * <p>Every denial (and, on a listener that audits, every request its rules would deny) and every
 * admin write is one line of the {@code dev.udsgate.access.AUDIT} log and one event.
 */
public final class AccessHandler extends Handler.Wrapper {

    /** The audit log: one line per denial and per admin write. */
    static final Logger AUDIT = LoggerFactory.getLogger("dev.udsgate.access.AUDIT");

    private static final Logger LOG = LoggerFactory.getLogger(AccessHandler.class);

    /** The route a request would take, by its canonical path: the gateway's own table asked. */
    public interface RouteLookup {
        Optional<String> routeFor(Request request, String canonicalPath);
    }

    private final CallerPolicies callers;
    private final RouteLookup routes;
    private final EventLog events;
    private final Denials denials;

    /** @param denials counts each denial, by listener and whether it was enforced */
    public AccessHandler(CallerPolicies callers, RouteLookup routes, EventLog events, Denials denials, Handler next) {
        super(next);
        this.callers = callers;
        this.routes = routes;
        this.events = events;
        this.denials = denials;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        ListenerConfig listener = UnixListener.serving(request).config();
        AccessPolicy policy = listener.access();
        // The API takes the request as ApiHandler decides it: the same test, on the same path.
        boolean toApi = listener.exposure().api() != Exposure.Api.NONE
                && RouteRules.isApiPath(Request.getPathInContext(request));
        boolean adminWrite = toApi && !isRead(request.getMethod());
        if (!policy.hasRules() && !adminWrite) {
            return super.handle(request, response, callback);
        }
        String path;
        if (policy.hasRules()) {
            try {
                // The gateway's own form, refused as the gateway refuses it, before any rule runs.
                path = CanonicalPath.of(request.getHttpURI().getPath());
            } catch (CanonicalPath.Refused refused) {
                LOG.debug("{} {}: {}", request.getMethod(), request.getHttpURI().getPath(), refused.getMessage());
                ProblemWriter.write(request, response, callback, ProblemException.badRequest(refused.getMessage()));
                return true;
            }
        } else {
            path = request.getHttpURI().getPath();
        }
        PeerMatches peer = callers.peerMatches(request, listener);
        Supplier<Optional<String>> route = toApi ? Optional::empty : memo(() -> routes.routeFor(request, path));
        AccessDecision decision = AccessDecision.of(peer, request.getMethod(), path, route, adminWrite);
        if (!decision.allowed() || adminWrite) {
            audit(listener, peer.caller(), request, path, route, decision, adminWrite);
        }
        if (!decision.passes()) {
            ProblemWriter.write(request, response, callback, refusal(listener, peer.caller(), request, path));
            return true;
        }
        return super.handle(request, response, callback);
    }

    private static boolean isRead(String method) {
        return HttpMethod.GET.is(method) || HttpMethod.HEAD.is(method);
    }

    /** Names who was seen and what was refused; never the rules, which are the operator's business. */
    private static ProblemException refusal(ListenerConfig listener, Caller caller, Request request, String path) {
        return new ProblemException(
                ProblemKind.FORBIDDEN,
                caller.describe() + " on listener " + listener.name() + " may not " + request.getMethod() + " " + path);
    }

    private void audit(
            ListenerConfig listener,
            Caller caller,
            Request request,
            String path,
            Supplier<Optional<String>> route,
            AccessDecision decision,
            boolean adminWrite) {
        String method = request.getMethod();
        AUDIT.info(
                "time={} requestId={} listener={} connection={} pid={} uid={} gid={} method={} path={} route={}"
                        + " decision={} rule={} reason={}",
                Instant.now(),
                RequestId.of(request),
                listener.name(),
                caller.connectionId() == null ? "-" : caller.connectionId(),
                caller.pidLabel(),
                caller.uid(),
                caller.gid(),
                method,
                path,
                route.get().orElse("-"),
                decision.label(),
                decision.rule() == null ? "-" : decision.rule(),
                decision.reason().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        if (!decision.allowed()) {
            AccessPolicy.Mode mode = decision.passes() ? AccessPolicy.Mode.AUDIT : AccessPolicy.Mode.ENFORCE;
            denials.denied(listener.name(), mode);
            events.publish(new Occurrence.AccessDenied(
                    listener.name(),
                    caller.connectionId(),
                    caller.userLabel(),
                    method,
                    path,
                    decision.rule(),
                    mode.label()));
        }
        if (decision.passes() && adminWrite) {
            events.publish(new Occurrence.AdminWrite(
                    listener.name(), caller.connectionId(), caller.userLabel(), method, path));
        }
    }

    private static <T> Supplier<T> memo(Supplier<T> supplier) {
        return new Supplier<>() {
            private T value;

            @Override
            public T get() {
                if (value == null) {
                    value = supplier.get();
                }
                return value;
            }
        };
    }

    /**
     * Deciding reads nothing but memory, bar a peer's supplementary groups from {@code /proc} once
     * per connection when a rule names {@code groups}: a read of the kernel's own table, not a wait.
     */
    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }
}
