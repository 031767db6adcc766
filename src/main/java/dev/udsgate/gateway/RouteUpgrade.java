package dev.udsgate.gateway;

import dev.udsgate.config.UpstreamAddress;
import dev.udsgate.gateway.upgrade.UpgradeTarget;
import dev.udsgate.http.RequestId;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Transport;

/**
 * An exchange that asks to switch protocols, as the upgrade path takes it ({@link UpgradeTarget}):
 * the exchange's headers with {@code Connection: Upgrade} and the client's {@code Upgrade} added,
 * the answer's headers by the gateway's rule, the upstream's counters, and the exchange's one
 * mapping of failures to problems. The only seam between the gateway and {@link
 * dev.udsgate.gateway.upgrade}. Not retried elsewhere, as a {@code POST} is not: the upstream may
 * have acted on it.
 */
final class RouteUpgrade implements UpgradeTarget {

    private final RoutedExchange exchange;

    RouteUpgrade(RoutedExchange exchange) {
        this.exchange = exchange;
    }

    @Override
    public Transport transport() {
        Transport unix = exchange.chosen().transport();
        return unix != null ? unix : Transport.TCP_IP;
    }

    @Override
    public SocketAddress address() {
        UpstreamAddress address = exchange.upstream();
        return address.isUnix()
                ? UnixDomainSocketAddress.of(address.socketPath())
                : new InetSocketAddress(address.host(), address.port());
    }

    @Override
    public Duration connectTimeout() {
        return exchange.connectTimeout();
    }

    @Override
    public Duration silenceTimeout() {
        return exchange.responseTimeout();
    }

    /** The only hop-by-hop headers that go upstream: {@code Connection: Upgrade} and {@code Upgrade}. */
    @Override
    public void writeHead(ByteBuffer out) {
        HttpFields client = exchange.request().getHeaders();
        String upgrade = String.join(", ", client.getValuesList(HttpHeader.UPGRADE));
        RequestHead.write(out, exchange.request().getMethod(), exchange.target(), exchange.host(), sink -> {
            exchange.forwardedHeaders(sink);
            sink.accept(new HttpField(HttpHeader.CONNECTION, "Upgrade"));
            sink.accept(new HttpField(HttpHeader.UPGRADE, upgrade));
        });
    }

    /**
     * Hop-by-hop headers stop here, as on every path; a {@code 101} says {@code Connection:
     * Upgrade} and the protocol switched to, which the client needs to take it.
     */
    @Override
    public void copyAnswerHeaders(List<HttpField> answer, HttpFields.Mutable to, boolean switching) {
        ForwardingRules.copyAnswerHeaders(answer, to);
        to.put(RequestId.HEADER, RequestId.of(exchange.request()));
        if (switching) {
            to.put(HttpHeader.CONNECTION, "Upgrade");
            answer.stream()
                    .filter(field -> field.getHeader() == HttpHeader.UPGRADE)
                    .forEach(to::add);
        }
    }

    @Override
    public void ended(boolean ok) {
        exchange.chosen().end(ok);
    }

    @Override
    public void answerFailure(Throwable failure, boolean connected) {
        exchange.answerWithoutRetry(failure, connected);
    }
}
