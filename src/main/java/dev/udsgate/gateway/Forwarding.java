package dev.udsgate.gateway;

import dev.udsgate.socket.ListenerConnector;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One request on the gateway's fast path: a request without a body, written on one of the route's
 * pooled upstream connections, its answer streamed back by that connection. Requests with a body,
 * {@code Expect} or {@code Upgrade} take Jetty's proxy instead ({@link RouteProxy}).
 */
final class Forwarding {

    private final RouteProxy proxy;
    private final Request request;
    private final Response response;
    private final Callback callback;
    /** The canonical path as the upstream gets it, prefix stripped. */
    private final String path;
    /** The query as the client sent it, or null. */
    private final String query;

    private Upstream upstream;
    private boolean retried;

    Forwarding(RouteProxy proxy, Request request, Response response, Callback callback, String path, String query) {
        this.proxy = proxy;
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.path = path;
        this.query = query;
    }

    /** True if {@code request} has no body and asks for nothing the fast path does not do. */
    static boolean fits(Request request) {
        for (HttpField field : request.getHeaders()) {
            HttpHeader header = field.getHeader();
            if (header == HttpHeader.CONTENT_LENGTH && field.getLongValue() > 0
                    || header == HttpHeader.TRANSFER_ENCODING
                    || header == HttpHeader.EXPECT
                    || header == HttpHeader.UPGRADE) {
                return false;
            }
        }
        return true;
    }

    /**
     * Sends the request to {@code upstream} on an idle connection or a new one.
     *
     * @return false if all its connections are busy and no more may be opened: nothing was done
     */
    boolean start(Upstream upstream) {
        UpstreamPool pool = proxy.poolOf(upstream);
        this.upstream = upstream;
        upstream.begin();
        UpstreamConnection idle = pool.takeIdle(this);
        if (idle != null) {
            send(idle);
            return true;
        }
        if (request.getConnectionMetaData().getConnector() instanceof ListenerConnector listener
                && pool.open(this, listener)) {
            return true;
        }
        upstream.cancel();
        return false;
    }

    Response response() {
        return response;
    }

    boolean isHead() {
        return HttpMethod.HEAD.is(request.getMethod());
    }

    /** A new connection opened and is reserved for this request. */
    void succeeded(UpstreamConnection connection) {
        send(connection);
    }

    /** No connection could be opened. */
    void failed(Throwable failure) {
        failed(failure, false);
    }

    private void send(UpstreamConnection connection) {
        ByteBuffer out = connection.headToFill();
        try {
            RequestHead.write(
                    out,
                    request.getMethod(),
                    query == null ? path : path + "?" + query,
                    request.getHeaders(),
                    proxy.poolOf(upstream).defaultHost(),
                    request.getConnectionMetaData().getHttpVersion(),
                    proxy.route().viaHost(),
                    proxy.route().identity().of(request));
        } catch (BufferOverflowException e) {
            connection.close();
            return; // the connection's close ends this exchange
        }
        connection.sendHead();
    }

    /** The whole answer went to the client. */
    void succeeded() {
        upstream.end(true);
        callback.succeeded();
    }

    /**
     * The gateway closed the upstream connection under this request: when it is stopping, the
     * client's connection is cut as every other one is (an answer would claim an upstream failure
     * that did not happen); otherwise it is a failure like any other.
     */
    void closedByGateway(Throwable cause) {
        if (!stopping()) {
            failed(cause, true);
            return;
        }
        cut(cause);
    }

    /**
     * Whether the listener is stopping: stopped, or in the graceful phase of a stop, in which it
     * closes every connection idle for its shutdown idle timeout, the upstream's included.
     */
    private boolean stopping() {
        Connector connector = request.getConnectionMetaData().getConnector();
        return !connector.isRunning() || connector.isShutdown();
    }

    /**
     * Whether {@code failure} is the stop's doing: once the listener has stopped, any failure (its
     * selector closes every connection, in no set order, and a read may fail before the close is
     * seen); in the graceful phase, an idle timeout (the stop's shutdown idle timeout).
     */
    private boolean closedByStop(Throwable failure) {
        Connector connector = request.getConnectionMetaData().getConnector();
        return !connector.isRunning() || (connector.isShutdown() && isTimeout(failure));
    }

    private void cut(Throwable cause) {
        upstream.end(false);
        request.getConnectionMetaData().getConnection().getEndPoint().close(cause);
        callback.failed(cause);
    }

    private static boolean isTimeout(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The upstream could not be reached or could not answer. Before the client has been answered,
     * an idempotent request is tried once more, and otherwise a problem names the route; after,
     * the client's connection is cut (it must not take a truncated answer for a whole one).
     *
     * @param answered whether the upstream had begun to answer
     */
    void failed(Throwable failure, boolean answered) {
        if (closedByStop(failure)) {
            // The stop closed the upstream connection, not the upstream: the client is cut as every
            // other connection is, not told of an upstream failure.
            cut(failure);
            return;
        }
        upstream.end(false);
        if (response.isCommitted()) {
            callback.failed(failure);
            return;
        }
        if (!retried && !answered && RouteProxy.isRetryable(request)) {
            Upstream next = null;
            if (failure instanceof UpstreamConnection.StaleConnectionException) {
                // A kept-alive connection closed as it was reused: a new connection is the remedy.
                next = upstream;
            } else if (RouteProxy.isConnectFailure(failure)) {
                Upstream other = proxy.route().pick(upstream);
                next = other == upstream ? null : other;
            }
            if (next != null) {
                retried = true;
                if (!start(next)) {
                    proxy.proxyWithJetty(request, response, callback, next, path);
                }
                return;
            }
        }
        response.reset();
        proxy.answerFailure(request, response, callback, failure);
    }
}
