package dev.udsgate.gateway;

import dev.udsgate.socket.ListenerConnector;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * The gateway's fast transport: a request without a body written on one of the upstream's pooled
 * keep-alive connections ({@link UpstreamPool}), its answer streamed back by that connection
 * ({@link UpstreamConnection}), with nothing per request but the request head and the answer.
 * Requests with a body, {@code Expect} or {@code Upgrade} take Jetty's proxy instead.
 */
final class FastPath {

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
     * Sends the exchange to its upstream on an idle connection or a new one.
     *
     * @return false if all the upstream's connections are busy and no more may be opened: nothing
     *     was done, and the exchange may go another way
     */
    boolean send(Exchange exchange) {
        UpstreamPool pool = exchange.route().poolOf(exchange.upstream());
        Forwarding forwarding = new Forwarding(exchange, pool);
        UpstreamConnection idle = pool.takeIdle(forwarding);
        if (idle != null) {
            forwarding.send(idle);
            return true;
        }
        return exchange.request().getConnectionMetaData().getConnector() instanceof ListenerConnector listener
                && pool.open(forwarding, listener);
    }
}
