package dev.udsgate.gateway;

import dev.udsgate.http.Problem;
import dev.udsgate.http.ProblemKind;
import dev.udsgate.http.ProblemWriter;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.Transport;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy of one route. Requests without a body (nearly all of them) take the fast path: {@link
 * Forwarding} on the route's own pooled connections, which live on the listener's selector, with
 * nothing per request but the request head and the answer. The rest (bodies, {@code Expect},
 * {@code Upgrade}, or the fast path's pool at its cap) take Jetty's reverse proxy, which this class
 * is: it streams bodies both ways, with its own client and selector. Both obey {@link
 * ForwardingRules} (the headers that stop here and those the gateway adds, broken answers) and
 * answer failures as problems that name the route and never the internals ({@link #answerFailure}).
 */
final class RouteProxy extends ProxyHandler {

    private static final Logger LOG = LoggerFactory.getLogger(RouteProxy.class);
    private static final String UPSTREAM = RouteProxy.class.getName() + ".upstream";
    private static final String RETRIED = RouteProxy.class.getName() + ".retried";
    private static final String PATH = RouteProxy.class.getName() + ".path";
    private static final String CLIENT_BODY_FAILED = RouteProxy.class.getName() + ".clientBodyFailed";
    private static final Set<String> RETRYABLE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "DELETE");
    private static final int MAX_CONNECTIONS_PER_UPSTREAM = 256;

    private final RouteRuntime route;
    private final Server server;
    private final Map<Upstream, Transport> transports;
    private Map<Upstream, UpstreamPool> pools = Map.of();

    RouteProxy(RouteRuntime route, Server server) {
        this.route = route;
        this.server = server;
        // Started by the router rather than as a child in the server's tree, so it is told its server.
        setServer(server);
        setViaHost(route.viaHost());
        // One Transport per upstream, reused: HttpClient pools connections by destination, and a new
        // Transport per request would be a new destination each time.
        this.transports = Map.copyOf(route.upstreams().stream()
                .filter(u -> u.address().isUnix())
                .collect(java.util.stream.Collectors.toMap(
                        u -> u, u -> new Transport.TCPUnix(u.address().socketPath()))));
    }

    @Override
    protected HttpClient newHttpClient() {
        ClientConnector connector = new ClientConnector();
        connector.setExecutor(server.getThreadPool());
        connector.setScheduler(server.getScheduler());
        connector.setSelectors(1);
        connector.setByteBufferPool(server.getByteBufferPool());
        connector.setConnectTimeout(route.config().connectTimeout());
        // HTTP/1.1 only: upstreams on a local socket speak it, and nothing is negotiated per connection.
        HttpClient client = new HttpClient(new HttpClientTransportOverHTTP(connector));
        client.setByteBufferPool(server.getByteBufferPool());
        client.setExecutor(server.getThreadPool());
        client.setScheduler(server.getScheduler());
        return client;
    }

    @Override
    protected void configureHttpClient(HttpClient client) {
        super.configureHttpClient(client);
        client.setMaxConnectionsPerDestination(MAX_CONNECTIONS_PER_UPSTREAM);
        client.setUserAgentField(null);
    }

    /** Jetty's client is asynchronous: proxying never blocks the thread that read the request. */
    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        pools = route.upstreams().stream()
                .collect(java.util.stream.Collectors.toUnmodifiableMap(
                        u -> u,
                        u -> new UpstreamPool(
                                u,
                                MAX_CONNECTIONS_PER_UPSTREAM,
                                route.config().responseTimeout().toMillis(),
                                route.config().connectTimeout().toMillis(),
                                server.getScheduler(),
                                server.getByteBufferPool(),
                                server.getThreadPool(),
                                server.getInvocationType() == InvocationType.NON_BLOCKING)));
    }

    @Override
    protected void doStop() throws Exception {
        pools.values().forEach(UpstreamPool::close);
        super.doStop();
    }

    RouteRuntime route() {
        return route;
    }

    UpstreamPool poolOf(Upstream upstream) {
        return pools.get(upstream);
    }

    HttpClient client() {
        return getHttpClient();
    }

    Transport transportOf(Upstream upstream) {
        return transports.get(upstream);
    }

    /**
     * Forwards a request the router matched to this route.
     *
     * @param path the canonical path to send upstream, prefix stripped if the route strips it
     * @param query the query as the client sent it, or null
     */
    boolean forward(Request request, Response response, Callback callback, String path, String query) {
        Upstream upstream = route.pick(null);
        if (upstream == null) {
            writeProblem(
                    request,
                    response,
                    callback,
                    ProblemKind.BAD_GATEWAY,
                    "route " + route.name() + ": no upstream to try");
            return true;
        }
        if (Forwarding.fits(request)
                && new Forwarding(this, request, response, callback, path, query).start(upstream)) {
            return true;
        }
        return proxyWithJetty(request, response, callback, upstream, path);
    }

    /**
     * Jetty's proxy path: for requests with a body, or when the fast path's pool is at its cap.
     *
     * <p>The gateway answers {@code Expect: 100-continue} itself, as nginx does: Jetty's server
     * sends the client its {@code 100 Continue} when the proxy first reads the body, and the
     * upstream gets the body without {@code Expect}. Left to Jetty's proxy, the body would wait
     * for the upstream's own {@code 100}, and an upstream that never sends one (most do not) would
     * stall the request until the response timeout.
     *
     * @param path the canonical path to send upstream, as for {@link #forward}
     */
    boolean proxyWithJetty(Request request, Response response, Callback callback, Upstream upstream, String path) {
        request.setAttribute(UPSTREAM, upstream);
        request.setAttribute(PATH, path);
        upstream.begin();
        Request forwarded = request.getHeaders().contains(HttpHeader.EXPECT) ? new WithoutExpect(request) : request;
        return super.handle(forwarded, response, callback);
    }

    /** The client's request as Jetty's proxy sees it: without {@code Expect}, which the gateway answers. */
    private static final class WithoutExpect extends Request.Wrapper {
        private final HttpFields headers;

        WithoutExpect(Request request) {
            super(request);
            this.headers = HttpFields.build(request.getHeaders())
                    .remove(HttpHeader.EXPECT)
                    .asImmutable();
        }

        @Override
        public HttpFields getHeaders() {
            return headers;
        }
    }

    @Override
    protected HttpURI rewriteHttpURI(Request request) {
        Upstream upstream = (Upstream) request.getAttribute(UPSTREAM);
        HttpURI uri = request.getHttpURI();
        HttpURI.Mutable target = HttpURI.build()
                .scheme("http")
                .path((String) request.getAttribute(PATH))
                .query(uri.getQuery());
        if (upstream.address().isUnix()) {
            // The host only names the destination; the connection goes to the socket.
            return target.host(uri.getHost() == null ? "localhost" : uri.getHost())
                    .port(uri.getPort());
        }
        return target.host(upstream.address().host()).port(upstream.address().port());
    }

    @Override
    protected org.eclipse.jetty.client.Request newProxyToServerRequest(Request request, HttpURI target) {
        Upstream upstream = (Upstream) request.getAttribute(UPSTREAM);
        org.eclipse.jetty.client.Request proxied = super.newProxyToServerRequest(request, target);
        Transport transport = transports.get(upstream);
        if (transport != null) {
            proxied.transport(transport);
        }
        // Silence, as on the fast path (and nginx's proxy_read_timeout): a long stream that flows is fine.
        long timeout = route.config().responseTimeout().toMillis();
        if (timeout > 0) {
            proxied.idleTimeout(timeout, TimeUnit.MILLISECONDS);
        }
        return proxied;
    }

    /** The client's headers less those {@link ForwardingRules} stops: the same rule as the fast path's. */
    @Override
    protected void copyRequestHeaders(Request request, org.eclipse.jetty.client.Request proxied) {
        HttpFields client = request.getHeaders();
        Set<String> named = HopByHop.named(client);
        proxied.headers(headers -> {
            for (HttpField field : client) {
                if (!ForwardingRules.dropsFromRequest(field, named)) {
                    headers.add(field);
                }
            }
        });
    }

    /** What the gateway says about forwarding ({@code Via}, {@code Forwarded}, ...), as the fast path says it. */
    @Override
    protected void addProxyHeaders(Request request, org.eclipse.jetty.client.Request proxied) {
        HttpFields client = request.getHeaders();
        String via = client.contains(HttpHeader.VIA) ? String.join(", ", client.getValuesList(HttpHeader.VIA)) : null;
        HttpVersion version = request.getConnectionMetaData().getHttpVersion();
        proxied.headers(headers -> ForwardingRules.addForwarding(
                via,
                client.get(HttpHeader.HOST),
                version,
                route.viaHost(),
                route.identity().of(request),
                headers::put));
    }

    /** Notes a client's body that could not be parsed (a bad chunk): that failure is the client's. */
    @Override
    protected org.eclipse.jetty.client.Request.Content newProxyToServerRequestContent(
            Request request, Response response, org.eclipse.jetty.client.Request proxied) {
        return new ProxyRequestContent(request) {
            @Override
            public Content.Chunk read() {
                Content.Chunk chunk = super.read();
                // Only the parser's verdict on the client's bytes: a failure the gateway caused
                // itself (aborting on a broken answer) fails this content too, and stays the upstream's.
                if (chunk != null && Content.Chunk.isFailure(chunk) && chunk.getFailure() instanceof HttpException) {
                    request.setAttribute(CLIENT_BODY_FAILED, chunk.getFailure());
                }
                return chunk;
            }
        };
    }

    /**
     * Jetty drops the standard hop-by-hop headers of a response; those its Connection header names
     * must go too. An unsolicited {@code 101} is a broken answer ({@link ForwardingRules#isUnsolicitedSwitch}).
     */
    @Override
    protected org.eclipse.jetty.client.Response.CompleteListener newServerToProxyResponseListener(
            Request request, org.eclipse.jetty.client.Request proxied, Response response, Callback callback) {
        return new ProxyResponseListener(request, proxied, response, callback) {
            @Override
            public void onBegin(org.eclipse.jetty.client.Response upstreamResponse) {
                if (ForwardingRules.isUnsolicitedSwitch(upstreamResponse.getStatus())) {
                    upstreamResponse.abort(new IOException("the upstream switched protocols unasked"));
                    return;
                }
                super.onBegin(upstreamResponse);
            }

            @Override
            public void onHeaders(org.eclipse.jetty.client.Response upstreamResponse) {
                if (ForwardingRules.isUnsolicitedSwitch(upstreamResponse.getStatus())) {
                    return;
                }
                super.onHeaders(upstreamResponse);
                HopByHop.named(upstreamResponse.getHeaders()).forEach(response.getHeaders()::remove);
            }
        };
    }

    @Override
    protected void onProxyToClientResponseComplete(
            Request request,
            org.eclipse.jetty.client.Request proxied,
            org.eclipse.jetty.client.Response upstreamResponse,
            Response response,
            Callback callback) {
        upstreamOf(request).end(true);
        super.onProxyToClientResponseComplete(request, proxied, upstreamResponse, response, callback);
    }

    @Override
    protected void onProxyToClientResponseFailure(
            Request request,
            org.eclipse.jetty.client.Request proxied,
            org.eclipse.jetty.client.Response upstreamResponse,
            Response response,
            Callback callback,
            Throwable failure) {
        upstreamOf(request).end(false);
        super.onProxyToClientResponseFailure(request, proxied, upstreamResponse, response, callback, failure);
    }

    @Override
    protected void onServerToProxyResponseFailure(
            Request request,
            org.eclipse.jetty.client.Request proxied,
            org.eclipse.jetty.client.Response upstreamResponse,
            Response response,
            Callback callback,
            Throwable failure) {
        Upstream upstream = upstreamOf(request);
        upstream.end(false);
        boolean connectFailure = isConnectFailure(failure);
        if (connectFailure
                && !response.isCommitted()
                && isRetryable(request)
                && request.getAttribute(RETRIED) == null) {
            request.setAttribute(RETRIED, Boolean.TRUE);
            Upstream other = route.pick(upstream);
            if (other != null && other != upstream) {
                LOG.debug(
                        "route {}: {} failed to connect, retrying on {}",
                        route.name(),
                        upstream.address(),
                        other.address());
                proxied.abort(failure);
                proxyWithJetty(request, response, callback, other, (String) request.getAttribute(PATH));
                return;
            }
        }
        proxied.abort(failure);
        answerFailure(request, response, callback, failure);
    }

    /** The one mapping of an upstream's failure to the client's answer, for both paths. */
    void answerFailure(Request request, Response response, Callback callback, Throwable failure) {
        if (request.getAttribute(CLIENT_BODY_FAILED) instanceof HttpException bad) {
            // The client's mistake, not the upstream's: a 400 that says what was wrong.
            writeProblem(
                    request,
                    response,
                    callback,
                    ProblemKind.BAD_REQUEST,
                    "the request's body could not be read: "
                            + (bad.getReason() == null ? "it is malformed" : bad.getReason()));
        } else if (failure instanceof TimeoutException || failure.getCause() instanceof TimeoutException) {
            writeProblem(
                    request,
                    response,
                    callback,
                    ProblemKind.GATEWAY_TIMEOUT,
                    "route " + route.name() + ": the upstream did not answer within "
                            + dev.udsgate.config.DurationText.format(
                                    route.config().responseTimeout()));
        } else if (isConnectFailure(failure)) {
            writeProblem(
                    request,
                    response,
                    callback,
                    ProblemKind.BAD_GATEWAY,
                    "route " + route.name() + ": could not connect to an upstream (refused, or no socket)");
        } else {
            writeProblem(
                    request,
                    response,
                    callback,
                    ProblemKind.BAD_GATEWAY,
                    "route " + route.name() + ": the upstream closed the connection or sent an invalid response");
        }
    }

    private Upstream upstreamOf(Request request) {
        return (Upstream) request.getAttribute(UPSTREAM);
    }

    private static void writeProblem(
            Request request, Response response, Callback callback, ProblemKind kind, String detail) {
        ProblemWriter.write(
                response,
                callback,
                Problem.of(kind, kind.status(), detail, Request.getPathInContext(request)),
                Map.of());
    }

    static boolean isRetryable(Request request) {
        return RETRYABLE_METHODS.contains(request.getMethod())
                && request.getLength() <= 0
                && !request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
    }

    static boolean isConnectFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof NoSuchFileException) {
                return true;
            }
            String message = String.valueOf(t.getMessage());
            if (t instanceof java.net.SocketException
                    && (message.contains("No such file") || message.contains("refused"))) {
                return true;
            }
        }
        return false;
    }
}
