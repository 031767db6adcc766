package dev.udsgate.gateway.fast;

import dev.udsgate.gateway.Exchange;
import dev.udsgate.gateway.RequestHead;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * The fast path's side of one exchange ({@link Exchange}): what its upstream connection tells it,
 * passed on as the exchange's outcome. What is the fast path's own is here: writing the head, and
 * telling a stop's closing of the upstream connection from an upstream's failure.
 */
final class Forwarding {

    private final Exchange exchange;
    private final Consumer<Runnable> completion;

    Forwarding(Exchange exchange, Consumer<Runnable> completion) {
        this.exchange = exchange;
        this.completion = completion;
    }

    Response response() {
        return exchange.response();
    }

    boolean isHead() {
        return exchange.isHead();
    }

    /** A new connection opened and is reserved for this request. */
    void succeeded(UpstreamConnection connection) {
        send(connection);
    }

    /** No connection could be opened. */
    void failed(Throwable failure) {
        exchange.failed(failure, false, false);
    }

    void send(UpstreamConnection connection) {
        ByteBuffer out = connection.headToFill();
        Request request = exchange.request();
        try {
            RequestHead.write(out, request.getMethod(), exchange.target(), exchange.host(), exchange::forwardedHeaders);
        } catch (BufferOverflowException e) {
            connection.close();
            return; // the connection's close ends this exchange
        }
        connection.sendHead();
    }

    /** The upstream's answer head: the client's answer starts from it. */
    void answerHead(int status, List<HttpField> headers) {
        exchange.answerHead(status, headers);
    }

    /** The whole answer went to the client. */
    void succeeded() {
        completion.accept(exchange::succeeded);
    }

    /**
     * The gateway closed the upstream connection under this request: when it is stopping, the
     * client's connection is cut as every other one is; otherwise it is a failure like any other.
     */
    void closedByGateway(Throwable cause) {
        if (stopping()) {
            exchange.cut(cause);
        } else {
            failed(cause, true);
        }
    }

    /**
     * The upstream could not answer on a connection that was made.
     *
     * @param answered whether the upstream had begun to answer
     */
    void failed(Throwable failure, boolean answered) {
        if (closedByStop(failure)) {
            exchange.cut(failure);
        } else {
            exchange.failed(failure, true, answered);
        }
    }

    /**
     * Whether the listener is stopping: stopped, or in the graceful phase of a stop, in which it
     * closes every connection idle for its shutdown idle timeout, the upstream's included.
     */
    private boolean stopping() {
        Connector connector = exchange.request().getConnectionMetaData().getConnector();
        return !connector.isRunning() || connector.isShutdown();
    }

    /**
     * Whether {@code failure} is the stop's doing: once the listener has stopped, any failure (its
     * selector closes every connection, in no set order, and a read may fail before the close is
     * seen); in the graceful phase, an idle timeout (the stop's shutdown idle timeout).
     */
    private boolean closedByStop(Throwable failure) {
        Connector connector = exchange.request().getConnectionMetaData().getConnector();
        return !connector.isRunning() || (connector.isShutdown() && isTimeout(failure));
    }

    private static boolean isTimeout(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }
}
