package dev.udsgate.gateway;

import dev.udsgate.config.DurationText;
import dev.udsgate.config.UpstreamAddress;
import dev.udsgate.gateway.upgrade.UpgradeProxy;
import dev.udsgate.http.Problem;
import dev.udsgate.http.ProblemKind;
import dev.udsgate.http.ProblemWriter;
import dev.udsgate.http.RequestId;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One forwarded request, from the choice of upstream to the client's answer, whichever transport
 * carries it: the fast path ({@link FastTransport}), Jetty's proxy ({@link JettyProxy}) or the
 * upgrade path ({@link RouteUpgrade}). What must
 * happen once per request happens here: the upstream and its counters, the one retry decision, the
 * gateway's forwarding headers, and the one mapping of an upstream's failure ({@link
 * UpstreamFailure}) to the client's problem. A transport only moves bytes and says how it ended.
 */
final class RoutedExchange implements Exchange {

    private static final Logger LOG = LoggerFactory.getLogger(RoutedExchange.class);

    /** Methods that may be sent twice: RFC 9110's idempotent ones, less PUT (whose body is gone once read). */
    private static final Set<String> RETRYABLE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "DELETE");

    private final Transports transports;
    private final RouteRuntime route;
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final String path;
    private final String query;

    private Upstream upstream;
    private boolean retried;

    /**
     * @param path the canonical path as the upstream gets it, prefix stripped if the route strips it
     * @param query the query as the client sent it, or null
     */
    RoutedExchange(
            Transports transports,
            RouteRuntime route,
            Request request,
            Response response,
            Callback callback,
            String path,
            String query) {
        this.transports = transports;
        this.route = route;
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.path = path;
        this.query = query;
    }

    /**
     * The ways a request travels, chosen per request: the upgrade path for one that asks to switch
     * protocols, else the fast path where it fits, else Jetty's proxy.
     */
    record Transports(FastTransport fast, JettyProxy jetty, UpgradeProxy upgrades) {}

    void start() {
        Upstream first = route.pick(null);
        if (first == null) {
            problem(ProblemKind.BAD_GATEWAY, "route " + route.name() + ": no upstream to try");
            return;
        }
        sendTo(first);
    }

    private void sendTo(Upstream target) {
        upstream = target;
        target.begin();
        if (ForwardingRules.asksToUpgrade(request)) {
            transports.upgrades().forward(request, response, callback, new RouteUpgrade(this));
            return;
        }
        if (transports.fast() != null && transports.fast().send(this)) {
            return;
        }
        transports.jetty().send(this);
    }

    /** The upstream chosen for this try. */
    Upstream chosen() {
        return upstream;
    }

    @Override
    public Request request() {
        return request;
    }

    @Override
    public Response response() {
        return response;
    }

    @Override
    public UpstreamAddress upstream() {
        return upstream.address();
    }

    @Override
    public Duration connectTimeout() {
        return route.config().connectTimeout();
    }

    @Override
    public Duration responseTimeout() {
        return route.config().responseTimeout();
    }

    Callback callback() {
        return callback;
    }

    String path() {
        return path;
    }

    String query() {
        return query;
    }

    @Override
    public String target() {
        return query == null ? path : path + "?" + query;
    }

    @Override
    public boolean isHead() {
        return HttpMethod.HEAD.is(request.getMethod());
    }

    @Override
    public String host() {
        String host = request.getHeaders().get(HttpHeader.HOST);
        if (host != null) {
            return host;
        }
        UpstreamAddress address = upstream.address();
        return address.isUnix() ? "localhost" : address.host() + ":" + address.port();
    }

    @Override
    public void forwardedHeaders(Consumer<HttpField> sink) {
        ForwardingRules.forwardedHeaders(
                request.getHeaders(),
                request.getConnectionMetaData().getHttpVersion(),
                route.viaHost(),
                route.identity().of(request, route.config().identityHeaders()),
                RequestId.of(request),
                sink::accept);
    }

    @Override
    public void answerHead(int status, Iterable<HttpField> upstreamHeaders) {
        response.setStatus(status);
        ForwardingRules.copyAnswerHeaders(upstreamHeaders, response.getHeaders());
        response.getHeaders().put(RequestId.HEADER, RequestId.of(request));
    }

    // ---- how it ended, as the transport says

    @Override
    public void succeeded() {
        upstream.end(true);
        callback.succeeded();
    }

    /**
     * The upstream could not be reached or could not answer. Before the client has been answered,
     * the request may be tried once more ({@link #retryTarget}); otherwise a problem says what
     * happened. After the answer began, the client's connection is cut: it must not take a
     * truncated answer for a whole one.
     *
     * @param connected whether a connection to the upstream had been made
     * @param answered whether the upstream had begun to answer
     */
    @Override
    public void failed(Throwable failure, boolean connected, boolean answered) {
        upstream.end(false);
        if (response.isCommitted()) {
            callback.failed(failure);
            return;
        }
        UpstreamFailure kind = UpstreamFailure.of(failure, connected, upstream.address());
        Upstream next = answered ? null : retryTarget(kind);
        response.reset();
        if (next != null) {
            retried = true;
            LOG.debug("route {}: {} on {}, trying {}", route.name(), kind.seen(), upstream.address(), next.address());
            sendTo(next);
            return;
        }
        answer(kind);
    }

    /**
     * The client's body could not be read (a bad chunk): that failure is the client's, a 400 that
     * says what was wrong.
     */
    void clientBodyFailed(HttpException bad) {
        upstream.end(false);
        response.reset();
        problem(
                ProblemKind.BAD_REQUEST,
                "the request's body could not be read: "
                        + (bad.getReason() == null ? "it is malformed" : bad.getReason()));
    }

    /**
     * The server is stopping and closed the upstream connection under this request: the client's
     * connection is cut as every other one is (an answer would claim an upstream failure that did
     * not happen).
     */
    @Override
    public void cut(Throwable cause) {
        upstream.end(false);
        request.getConnectionMetaData().getConnection().getEndPoint().close(cause);
        callback.failed(cause);
    }

    /**
     * A failure of an exchange that is never retried (an upgrade): the problem alone.
     *
     * @param connected whether a connection to the upstream had been made
     */
    void answerWithoutRetry(Throwable failure, boolean connected) {
        response.reset();
        answer(UpstreamFailure.of(failure, connected, upstream.address()));
    }

    /**
     * The one retry decision: at most once, only a request that can be sent twice (an idempotent
     * method, no body), and only where nothing reached an upstream: a stale kept-alive connection
     * (a new connection to the same upstream is the remedy), or no connection at all (another
     * upstream, if the route has one).
     */
    private Upstream retryTarget(UpstreamFailure kind) {
        if (retried || !isRetryable(request)) {
            return null;
        }
        if (kind == UpstreamFailure.STALE) {
            return upstream;
        }
        if (kind.couldNotConnect()) {
            Upstream other = route.pick(upstream);
            return other == upstream ? null : other;
        }
        return null;
    }

    static boolean isRetryable(Request request) {
        return RETRYABLE_METHODS.contains(request.getMethod())
                && request.getLength() <= 0
                && !request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
    }

    /** The one mapping of an upstream's failure to the client's answer; it names the route, never the internals. */
    private void answer(UpstreamFailure kind) {
        String name = "route " + route.name() + ": ";
        switch (kind) {
            case TIMEOUT ->
                problem(
                        ProblemKind.GATEWAY_TIMEOUT,
                        name + "the upstream did not answer within "
                                + DurationText.format(route.config().responseTimeout()));
            case CONNECT_TIMEOUT ->
                problem(
                        ProblemKind.GATEWAY_TIMEOUT,
                        name + "could not connect to an upstream within "
                                + DurationText.format(route.config().connectTimeout()));
            case REFUSED, NO_SOCKET ->
                problem(ProblemKind.BAD_GATEWAY, name + "could not connect to an upstream (" + kind.seen() + ")");
            case STALE, BROKEN ->
                problem(
                        ProblemKind.BAD_GATEWAY,
                        name + "the upstream closed the connection or sent an invalid response");
        }
    }

    private void problem(ProblemKind kind, String detail) {
        ProblemWriter.write(
                response,
                callback,
                Problem.of(kind, kind.status(), detail, Request.getPathInContext(request)),
                Map.of());
    }
}
