package dev.udsgate.gateway;

import dev.udsgate.http.RequestId;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Request;

/**
 * What every forwarded request obeys, whichever transport carries it (the fast path or Jetty's
 * proxy in {@link JettyProxy}): which methods are refused, which of the
 * client's headers stop here, what the gateway says instead, and which answers are broken. A
 * transport only moves bytes; a rule lives here once.
 */
final class ForwardingRules {

    /**
     * Methods the gateway refuses with 405, before any route: {@code CONNECT} asks for a tunnel,
     * which no route offers, and nginx answers {@code TRACE} with 405 too (it would echo the
     * client's headers, credentials included, back to any script that can send one).
     */
    private static final Set<String> REFUSED_METHODS =
            Set.of(HttpMethod.CONNECT.asString(), HttpMethod.TRACE.asString());

    /** What a 405 of the gateway says may be sent instead; the upstream has the last word on the rest. */
    static final String ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

    /**
     * Headers in which a client speaks for a peer, a proxy or the original request. udsgate never
     * passes on a client's claims in them: it says what it knows itself ({@code Forwarded},
     * {@code X-Forwarded-Host}, {@code X-Forwarded-Proto}), and a Unix-socket client has no address
     * or port to forward, so the others are dropped.
     */
    private static final Set<HttpHeader> IDENTITY = EnumSet.of(
            HttpHeader.FORWARDED,
            HttpHeader.X_FORWARDED_FOR,
            HttpHeader.X_FORWARDED_HOST,
            HttpHeader.X_FORWARDED_PORT,
            HttpHeader.X_FORWARDED_PROTO,
            HttpHeader.X_FORWARDED_SERVER);

    /** The same, for names Jetty has no constant for. */
    private static final List<String> OTHER_IDENTITY = List.of(
            "X-Real-IP",
            "X-Client-IP",
            "True-Client-IP",
            "X-Forwarded-Prefix",
            "X-Forwarded-Scheme",
            "X-Forwarded-Ssl",
            "Front-End-Https",
            "X-Original-URL",
            "X-Rewrite-URL");

    /** Where the gateway's own forwarding headers go: a request head being written, or Jetty's request. */
    interface Sink {
        void put(HttpField field);
    }

    private static final HttpField X_FORWARDED_PROTO_HTTP = new HttpField(HttpHeader.X_FORWARDED_PROTO, "http");

    private ForwardingRules() {}

    static boolean refusesMethod(String method) {
        return REFUSED_METHODS.contains(method);
    }

    /** True if a header named {@code name} is one of the identity headers the gateway replaces or drops. */
    static boolean isIdentity(HttpField field) {
        HttpHeader header = field.getHeader();
        if (header != null) {
            return IDENTITY.contains(header);
        }
        String name = field.getName();
        for (String identity : OTHER_IDENTITY) {
            if (identity.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * True if the client's {@code field} must not be forwarded as it is: hop-by-hop headers (and
     * those {@code Connection} names), identity headers, {@code Expect} (the gateway answers it
     * itself, as nginx does: an upstream that never sends {@code 100} must not stall the request),
     * {@code Via} (which {@link #addForwarding} extends), {@code X-Request-Id} (which {@link
     * #forwardedHeaders} sends as udsgate chose it), and anything in udsgate's own identity
     * namespace ({@link IdentityHeaders}), which only udsgate sets. {@code Host} is kept; each
     * transport writes it where it must.
     *
     * @param named the lower-case names the {@code Connection} header listed ({@link HopByHop#named})
     */
    static boolean dropsFromRequest(HttpField field, Set<String> named) {
        HttpHeader header = field.getHeader();
        return header == HttpHeader.VIA
                || header == HttpHeader.EXPECT
                || RequestId.HEADER.equalsIgnoreCase(field.getName())
                || HopByHop.drops(field, named)
                || isIdentity(field)
                || IdentityHeaders.isOurs(field.getName());
    }

    /**
     * Says what the gateway knows about the request it forwards.
     *
     * @param clientVia the {@code Via} values the client sent, joined, or null
     * @param host the client's {@code Host}, or null
     * @param clientVersion the client's HTTP version, which {@code Via} records
     * @param viaHost this gateway's name in {@code Via} ({@link LoopGuard#viaHost})
     * @param identity the caller's identity headers ({@link IdentityHeaders#of})
     */
    static void addForwarding(
            String clientVia,
            String host,
            HttpVersion clientVersion,
            String viaHost,
            List<HttpField> identity,
            Sink sink) {
        String hop = (clientVersion == HttpVersion.HTTP_1_0 ? "1.0 " : "1.1 ") + viaHost;
        sink.put(
                new HttpField(HttpHeader.VIA, clientVia == null || clientVia.isBlank() ? hop : clientVia + ", " + hop));
        // A Unix-socket client has no address to forward: say so.
        sink.put(new HttpField(
                HttpHeader.FORWARDED,
                host == null ? "for=unknown;proto=http" : "for=unknown;proto=http;host=" + quoted(host)));
        if (host != null) {
            sink.put(new HttpField(HttpHeader.X_FORWARDED_HOST, host));
        }
        sink.put(X_FORWARDED_PROTO_HTTP);
        identity.forEach(sink::put);
    }

    /**
     * Every header the upstream gets but {@code Host}, in order: the client's less those that stop
     * here ({@link #dropsFromRequest}), then what the gateway says ({@link #addForwarding}), with
     * the client's {@code Via} values extended rather than passed on. Both transports send these.
     */
    static void forwardedHeaders(
            HttpFields client,
            HttpVersion clientVersion,
            String viaHost,
            List<HttpField> identity,
            String requestId,
            Sink sink) {
        Set<String> named = HopByHop.named(client);
        String via = null;
        for (HttpField field : client) {
            HttpHeader header = field.getHeader();
            if (header == HttpHeader.VIA) {
                via = via == null ? field.getValue() : via + ", " + field.getValue();
            } else if (header != HttpHeader.HOST && !dropsFromRequest(field, named)) {
                sink.put(field);
            }
        }
        addForwarding(via, client.get(HttpHeader.HOST), clientVersion, viaHost, identity, sink);
        // The client's, if it was valid; else the one udsgate made: the same id on both sides.
        sink.put(new HttpField(RequestId.HEADER, requestId));
    }

    /**
     * The upstream's answer headers as the client gets them: hop-by-hop ones (and those its
     * {@code Connection} names) stop here; its {@code Date} replaces the server's own.
     */
    static void copyAnswerHeaders(Iterable<HttpField> upstream, HttpFields.Mutable client) {
        Set<String> named = HopByHop.named(upstream);
        for (HttpField field : upstream) {
            if (HopByHop.drops(field, named) || RequestId.HEADER.equalsIgnoreCase(field.getName())) {
                continue;
            }
            if (field.getHeader() == HttpHeader.DATE) {
                client.put(field);
            } else {
                client.add(field);
            }
        }
    }

    /**
     * True if the client asks to switch protocols (RFC 9110 §7.8) in a way the gateway passes on:
     * HTTP/1.1, an {@code Upgrade} header that {@code Connection} names (without it, {@code Upgrade}
     * must be ignored), and no body (which would have to be read before the switch). Such a request
     * takes the upgrade path ({@link dev.udsgate.gateway.upgrade.UpgradeProxy}), where {@code
     * Upgrade} and {@code Connection: Upgrade} go upstream and a {@code 101} opens a tunnel; any
     * other request loses its {@code Upgrade} header as a hop-by-hop one.
     */
    static boolean asksToUpgrade(Request request) {
        HttpFields headers = request.getHeaders();
        return request.getConnectionMetaData().getHttpVersion() == HttpVersion.HTTP_1_1
                && headers.contains(HttpHeader.UPGRADE)
                && headers.contains(HttpHeader.CONNECTION, "upgrade")
                && !headers.contains(HttpHeader.TRANSFER_ENCODING)
                && request.getLength() <= 0;
    }

    /**
     * True if an upstream's {@code 1xx} answer is broken: {@code 101} switches protocols, which the
     * gateway asks for only on the upgrade path ({@link #asksToUpgrade}; elsewhere it does not pass
     * {@code Upgrade} on), so what follows is not HTTP the client asked for. Other interim answers
     * are dropped and the final answer awaited.
     */
    static boolean isUnsolicitedSwitch(int status) {
        return status == 101;
    }

    /** An RFC 9110 quoted-string: a host the client sent with a quote or backslash cannot end it early. */
    private static String quoted(String text) {
        if (text.indexOf('"') < 0 && text.indexOf('\\') < 0) {
            return "\"" + text + "\"";
        }
        StringBuilder out = new StringBuilder(text.length() + 4).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.append('"').toString();
    }
}
