package dev.udsgate.gateway;

import dev.udsgate.http.Problem;
import dev.udsgate.http.ProblemKind;
import dev.udsgate.http.ProblemWriter;
import java.net.ConnectException;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Transport;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty's reverse proxy for one route: streams bodies both ways, strips hop-by-hop headers, pools
 * keep-alive connections to the route's upstreams, and answers failures as problems that name the
 * route and never the internals.
 */
final class RouteProxy extends ProxyHandler {

    private static final Logger LOG = LoggerFactory.getLogger(RouteProxy.class);
    private static final String UPSTREAM = RouteProxy.class.getName() + ".upstream";
    private static final String RETRIED = RouteProxy.class.getName() + ".retried";
    private static final Set<String> RETRYABLE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "DELETE", "TRACE");
    private static final int MAX_CONNECTIONS_PER_UPSTREAM = 256;

    private final RouteRuntime route;
    private final Server server;
    private final Map<Upstream, Transport> transports;

    RouteProxy(RouteRuntime route, Server server) {
        this.route = route;
        this.server = server;
        // Started by the router rather than as a child in the server's tree, so it is told its server.
        setServer(server);
        setViaHost("udsgate");
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

    HttpClient client() {
        return getHttpClient();
    }

    Transport transportOf(Upstream upstream) {
        return transports.get(upstream);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Upstream tried = (Upstream) request.getAttribute(UPSTREAM);
        Upstream upstream = route.pick(tried);
        if (upstream == null) {
            writeProblem(
                    request,
                    response,
                    callback,
                    ProblemKind.BAD_GATEWAY,
                    "route " + route.name() + ": no upstream to try");
            return true;
        }
        request.setAttribute(UPSTREAM, upstream);
        upstream.begin();
        return super.handle(request, response, callback);
    }

    @Override
    protected HttpURI rewriteHttpURI(Request request) {
        Upstream upstream = (Upstream) request.getAttribute(UPSTREAM);
        HttpURI uri = request.getHttpURI();
        HttpURI.Mutable target = HttpURI.build()
                .scheme("http")
                .path(route.upstreamPath(uri.getPath()))
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
        long timeout = route.config().responseTimeout().toMillis();
        if (timeout > 0) {
            proxied.timeout(timeout, TimeUnit.MILLISECONDS);
        }
        return proxied;
    }

    /** A Unix-socket client has no address to forward: say so, and forward what is known. */
    @Override
    protected void addForwardedHeader(Request request, org.eclipse.jetty.client.Request proxied) {
        String host = request.getHeaders().get(HttpHeader.HOST);
        proxied.headers(headers -> {
            headers.put(
                    HttpHeader.FORWARDED, "for=unknown;proto=http" + (host == null ? "" : ";host=\"" + host + "\""));
            if (host != null) {
                headers.put(HttpHeader.X_FORWARDED_HOST, host);
            }
            headers.put(HttpHeader.X_FORWARDED_PROTO, "http");
        });
    }

    /** Jetty drops the standard hop-by-hop headers of a response; those its Connection header names must go too. */
    @Override
    protected org.eclipse.jetty.client.Response.CompleteListener newServerToProxyResponseListener(
            Request request, org.eclipse.jetty.client.Request proxied, Response response, Callback callback) {
        return new ProxyResponseListener(request, proxied, response, callback) {
            @Override
            public void onHeaders(org.eclipse.jetty.client.Response upstreamResponse) {
                super.onHeaders(upstreamResponse);
                for (String value : upstreamResponse.getHeaders().getValuesList(HttpHeader.CONNECTION)) {
                    for (String name : value.split(",")) {
                        String header = name.strip();
                        if (!header.isEmpty()
                                && !header.equalsIgnoreCase("close")
                                && !header.equalsIgnoreCase("keep-alive")) {
                            response.getHeaders().remove(header);
                        }
                    }
                }
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
                handle(request, response, callback);
                return;
            }
        }
        proxied.abort(failure);
        if (failure instanceof TimeoutException || failure.getCause() instanceof TimeoutException) {
            writeProblem(
                    request,
                    response,
                    callback,
                    ProblemKind.GATEWAY_TIMEOUT,
                    "route " + route.name() + ": the upstream did not answer within "
                            + dev.udsgate.config.DurationText.format(
                                    route.config().responseTimeout()));
        } else if (connectFailure) {
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

    private static boolean isRetryable(Request request) {
        return RETRYABLE_METHODS.contains(request.getMethod())
                && request.getLength() <= 0
                && !request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
    }

    private static boolean isConnectFailure(Throwable failure) {
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
