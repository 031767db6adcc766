package dev.udsgate.gateway;

import dev.udsgate.config.UpstreamAddress;
import dev.udsgate.gateway.upgrade.UpgradeProxy;
import dev.udsgate.gateway.upgrade.UpgradeTarget;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Transport;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * An upgrade request of one route as the upgrade path takes it ({@link UpgradeTarget}): the
 * gateway's rules for the head that goes upstream and the answer that comes back, the upstream's
 * counters, and the gateway's one mapping of failures to answers ({@link RouteProxy#answerFailure}).
 * The only seam between the gateway and {@link dev.udsgate.gateway.upgrade}.
 */
final class RouteUpgrade implements UpgradeTarget {

    private final RouteRuntime route;
    private final Upstream upstream;
    private final Request request;
    /** The path and query sent upstream. */
    private final String target;

    private RouteUpgrade(RouteRuntime route, Upstream upstream, Request request, String target) {
        this.route = route;
        this.upstream = upstream;
        this.request = request;
        this.target = target;
    }

    /** True if {@code request} takes the upgrade path ({@link ForwardingRules#asksToUpgrade}). */
    static boolean fits(Request request) {
        return ForwardingRules.asksToUpgrade(request);
    }

    /**
     * Sends an upgrade request to one of the route's upstreams. It is not retried elsewhere, as a
     * {@code POST} is not: the upstream may have acted on it.
     *
     * @param path the canonical path to send upstream, prefix stripped if the route strips it
     * @param query the query as the client sent it, or null
     */
    static boolean forward(
            UpgradeProxy upgrades,
            RouteRuntime route,
            Request request,
            Response response,
            Callback callback,
            String path,
            String query) {
        Upstream upstream = route.pick(null);
        upstream.begin();
        upgrades.forward(
                request,
                response,
                callback,
                new RouteUpgrade(route, upstream, request, query == null ? path : path + "?" + query));
        return true;
    }

    @Override
    public Transport transport() {
        UpstreamAddress address = upstream.address();
        return address.isUnix() ? new Transport.TCPUnix(address.socketPath()) : Transport.TCP_IP;
    }

    @Override
    public SocketAddress address() {
        UpstreamAddress address = upstream.address();
        return address.isUnix()
                ? UnixDomainSocketAddress.of(address.socketPath())
                : new InetSocketAddress(address.host(), address.port());
    }

    @Override
    public Duration connectTimeout() {
        return route.config().connectTimeout();
    }

    @Override
    public Duration silenceTimeout() {
        return route.config().responseTimeout();
    }

    @Override
    public void writeHead(ByteBuffer out) {
        UpstreamAddress address = upstream.address();
        RequestHead.writeUpgrade(
                out,
                request.getMethod(),
                target,
                request.getHeaders(),
                address.isUnix() ? "localhost" : address.host() + ":" + address.port(),
                request.getConnectionMetaData().getHttpVersion(),
                route.viaHost(),
                route.identity().of(request));
    }

    /**
     * Hop-by-hop headers stop here, as on every path; a {@code 101} says {@code Connection:
     * Upgrade} and the protocol switched to, which the client needs to take it.
     */
    @Override
    public void copyAnswerHeaders(List<HttpField> answer, HttpFields.Mutable to, boolean switching) {
        Set<String> named = HopByHop.named(answer);
        for (HttpField field : answer) {
            if (HopByHop.drops(field, named)) {
                continue;
            }
            if (field.getHeader() == HttpHeader.DATE) {
                to.put(field);
            } else {
                to.add(field);
            }
        }
        if (switching) {
            to.put(HttpHeader.CONNECTION, "Upgrade");
            answer.stream()
                    .filter(field -> field.getHeader() == HttpHeader.UPGRADE)
                    .forEach(to::add);
        }
    }

    @Override
    public void ended(boolean ok) {
        upstream.end(ok);
    }

    @Override
    public void answerFailure(Request request, Response response, Callback callback, Throwable failure) {
        route.proxy().answerFailure(request, response, callback, failure);
    }
}
