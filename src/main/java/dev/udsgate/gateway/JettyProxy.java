package dev.udsgate.gateway;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The gateway's second transport, Jetty's reverse proxy: for requests with a body, {@code Expect},
 * or when the fast path's pool is at its cap. It streams bodies both ways. One for the whole
 * gateway, with one client and one selector, whatever the number of routes: a route is data it
 * reads from the request's {@link Exchange}, not a component with threads of its own.
 *
 * <p>Its client's own connect timeout is only a ceiling; each request's route sets its own, by
 * aborting a request that has not begun on a connection in time ({@link #send}).
 */
final class JettyProxy extends ProxyHandler {

    private static final String EXCHANGE = JettyProxy.class.getName() + ".exchange";
    private static final String CONNECTED = JettyProxy.class.getName() + ".connected";
    private static final String ANSWERED = JettyProxy.class.getName() + ".answered";
    private static final String CLIENT_BODY_FAILED = JettyProxy.class.getName() + ".clientBodyFailed";
    private static final int MAX_CONNECTIONS_PER_UPSTREAM = 256;

    private final Server server;
    private final ClientConnector connector;

    /** @param connector the gateway's one client connector (its selector), shared with the upgrade path */
    JettyProxy(Server server, ClientConnector connector) {
        this.server = server;
        this.connector = connector;
        // Started by the router rather than as a child in the server's tree, so it is told its server.
        setServer(server);
    }

    @Override
    protected HttpClient newHttpClient() {
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

    /** The client health checks use too: one client, one selector, for the whole gateway. */
    HttpClient client() {
        return getHttpClient();
    }

    /** Jetty's client is asynchronous: proxying never blocks the thread that read the request. */
    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    /**
     * Sends the exchange to its upstream.
     *
     * <p>The gateway answers {@code Expect: 100-continue} itself, as nginx does: Jetty's server
     * sends the client its {@code 100 Continue} when the proxy first reads the body, and the
     * upstream gets the body without {@code Expect}. Left to Jetty's proxy, the body would wait
     * for the upstream's own {@code 100}, and an upstream that never sends one (most do not) would
     * stall the request until the response timeout.
     */
    void send(RoutedExchange exchange) {
        Request request = exchange.request();
        request.setAttribute(EXCHANGE, exchange);
        request.removeAttribute(CONNECTED);
        request.removeAttribute(ANSWERED);
        Request forwarded = request.getHeaders().contains(HttpHeader.EXPECT) ? new WithoutExpect(request) : request;
        super.handle(forwarded, exchange.response(), exchange.callback());
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

    private static RoutedExchange exchangeOf(Request request) {
        return (RoutedExchange) request.getAttribute(EXCHANGE);
    }

    @Override
    protected HttpURI rewriteHttpURI(Request request) {
        RoutedExchange exchange = exchangeOf(request);
        Upstream upstream = exchange.chosen();
        HttpURI uri = request.getHttpURI();
        HttpURI.Mutable target =
                HttpURI.build().scheme("http").path(exchange.path()).query(exchange.query());
        if (upstream.address().isUnix()) {
            // The host only names the destination; the connection goes to the socket.
            return target.host(uri.getHost() == null ? "localhost" : uri.getHost())
                    .port(uri.getPort());
        }
        return target.host(upstream.address().host()).port(upstream.address().port());
    }

    @Override
    protected org.eclipse.jetty.client.Request newProxyToServerRequest(Request request, HttpURI target) {
        RoutedExchange exchange = exchangeOf(request);
        org.eclipse.jetty.client.Request proxied = super.newProxyToServerRequest(request, target);
        if (exchange.chosen().transport() != null) {
            proxied.transport(exchange.chosen().transport());
        }
        // Silence, as on the fast path (and nginx's proxy_read_timeout): a long stream that flows is fine.
        long timeout = exchange.responseTimeout().toMillis();
        if (timeout > 0) {
            proxied.idleTimeout(timeout, TimeUnit.MILLISECONDS);
        }
        connectWithin(proxied, exchange.connectTimeout(), request);
        return proxied;
    }

    /**
     * The route's connect timeout for one request: aborted if it has not begun on a connection in
     * time (waiting for one of the upstream's connections to free up counts, as in HAProxy's
     * {@code timeout queue}).
     */
    private void connectWithin(org.eclipse.jetty.client.Request proxied, Duration timeout, Request request) {
        Scheduler.Task deadline = server.getScheduler()
                .schedule(
                        () -> proxied.abort(new UpstreamFailure.ConnectTimeout()),
                        timeout.toMillis(),
                        TimeUnit.MILLISECONDS);
        proxied.onRequestBegin(begun -> {
            deadline.cancel();
            request.setAttribute(CONNECTED, Boolean.TRUE);
        });
        proxied.onComplete(result -> deadline.cancel());
    }

    /** The exchange's headers ({@link Exchange#forwardedHeaders}), the same as the fast path sends. */
    @Override
    protected void copyRequestHeaders(Request request, org.eclipse.jetty.client.Request proxied) {
        String host = request.getHeaders().get(HttpHeader.HOST);
        proxied.headers(headers -> {
            if (host != null) {
                headers.add(HttpHeader.HOST, host);
            }
            exchangeOf(request).forwardedHeaders(headers::add);
        });
    }

    /** Said already, with the rest of the headers ({@link #copyRequestHeaders}). */
    @Override
    protected void addProxyHeaders(Request request, org.eclipse.jetty.client.Request proxied) {}

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
     * The answer's headers follow the exchange's rule rather than Jetty's copy, as on the fast path.
     * An unsolicited {@code 101} is a broken answer ({@link ForwardingRules#isUnsolicitedSwitch}).
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
                request.setAttribute(ANSWERED, Boolean.TRUE);
                super.onBegin(upstreamResponse);
            }

            @Override
            public void onHeaders(org.eclipse.jetty.client.Response upstreamResponse) {
                if (ForwardingRules.isUnsolicitedSwitch(upstreamResponse.getStatus())) {
                    return;
                }
                // The exchange's rule for an answer's headers, the same as on the fast path.
                exchangeOf(request).answerHead(upstreamResponse.getStatus(), upstreamResponse.getHeaders());
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
        exchangeOf(request).succeeded();
    }

    @Override
    protected void onProxyToClientResponseFailure(
            Request request,
            org.eclipse.jetty.client.Request proxied,
            org.eclipse.jetty.client.Response upstreamResponse,
            Response response,
            Callback callback,
            Throwable failure) {
        // The answer had begun and could not be written whole: the client's connection is cut.
        exchangeOf(request).failed(failure, true, true);
    }

    @Override
    protected void onServerToProxyResponseFailure(
            Request request,
            org.eclipse.jetty.client.Request proxied,
            org.eclipse.jetty.client.Response upstreamResponse,
            Response response,
            Callback callback,
            Throwable failure) {
        proxied.abort(failure);
        RoutedExchange exchange = exchangeOf(request);
        if (request.getAttribute(CLIENT_BODY_FAILED) instanceof HttpException bad) {
            exchange.clientBodyFailed(bad);
            return;
        }
        exchange.failed(failure, request.getAttribute(CONNECTED) != null, request.getAttribute(ANSWERED) != null);
    }
}
