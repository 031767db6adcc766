package dev.udsgate.gateway;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;

/**
 * Writes the head of a request as the gateway forwards it: the request line with the upstream's
 * target, the client's headers less those {@link ForwardingRules} stops, and what the gateway says
 * about forwarding, the same as the Jetty proxy path says it.
 */
final class RequestHead {

    private static final byte[] CRLF = {'\r', '\n'};

    private RequestHead() {}

    /**
     * @param target the path and query sent upstream
     * @param defaultHost the {@code Host} to send when the client sent none
     * @param clientVersion the client's HTTP version, which {@code Via} records
     * @param viaHost this gateway's name in {@code Via}
     * @param identity the caller's identity headers
     * @throws java.nio.BufferOverflowException if {@code out} is too small
     */
    static void write(
            ByteBuffer out,
            String method,
            String target,
            HttpFields headers,
            String defaultHost,
            HttpVersion clientVersion,
            String viaHost,
            List<HttpField> identity) {
        write(out, method, target, headers, defaultHost, clientVersion, viaHost, identity, null);
    }

    /**
     * The same, for a request that asks to switch protocols ({@link ForwardingRules#asksToUpgrade}):
     * its {@code Upgrade} goes upstream, with {@code Connection: Upgrade}, the only hop-by-hop
     * headers that do.
     */
    static void writeUpgrade(
            ByteBuffer out,
            String method,
            String target,
            HttpFields headers,
            String defaultHost,
            HttpVersion clientVersion,
            String viaHost,
            List<HttpField> identity) {
        String upgrade = String.join(", ", headers.getValuesList(HttpHeader.UPGRADE));
        write(out, method, target, headers, defaultHost, clientVersion, viaHost, identity, upgrade);
    }

    /** @param upgrade the protocols to ask the upstream to switch to, or null for none (the usual case) */
    private static void write(
            ByteBuffer out,
            String method,
            String target,
            HttpFields headers,
            String defaultHost,
            HttpVersion clientVersion,
            String viaHost,
            List<HttpField> identity,
            String upgrade) {
        put(out, method);
        out.put((byte) ' ');
        put(out, target);
        put(out, " HTTP/1.1");
        out.put(CRLF);

        String host = headers.get(HttpHeader.HOST);
        field(out, "Host", host == null ? defaultHost : host);
        Set<String> named = HopByHop.named(headers);
        String via = null;
        for (HttpField field : headers) {
            HttpHeader header = field.getHeader();
            if (header == HttpHeader.VIA) {
                via = via == null ? field.getValue() : via + ", " + field.getValue();
                continue;
            }
            if (header == HttpHeader.HOST || ForwardingRules.dropsFromRequest(field, named)) {
                continue;
            }
            field(out, field.getName(), field.getValue());
        }
        ForwardingRules.addForwarding(
                via, host, clientVersion, viaHost, identity, added -> field(out, added.getName(), added.getValue()));
        if (upgrade != null) {
            field(out, "Connection", "Upgrade");
            field(out, "Upgrade", upgrade);
        }
        out.put(CRLF);
    }

    private static void field(ByteBuffer out, String name, String value) {
        put(out, name);
        put(out, ": ");
        put(out, value);
        out.put(CRLF);
    }

    /** Latin-1, with CR and LF (which Jetty's parser has already refused) made spaces all the same. */
    private static void put(ByteBuffer out, String text) {
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            out.put(c > 0xff || c == '\r' || c == '\n' ? (byte) ' ' : (byte) c);
        }
    }
}
