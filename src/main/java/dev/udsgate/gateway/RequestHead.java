package dev.udsgate.gateway;

import java.nio.ByteBuffer;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;

/**
 * Writes the head of a request as the gateway forwards it: the request line with the upstream's
 * target, the client's headers without the hop-by-hop ones, and what the gateway says about
 * forwarding ({@code Via}, {@code Forwarded}, {@code X-Forwarded-Host}, {@code X-Forwarded-Proto}),
 * the same as the Jetty proxy path says it.
 */
final class RequestHead {

    private static final byte[] CRLF = {'\r', '\n'};

    private RequestHead() {}

    /**
     * @param target the path and query sent upstream
     * @param defaultHost the {@code Host} to send when the client sent none
     * @param clientVersion the client's HTTP version, which {@code Via} records
     * @throws java.nio.BufferOverflowException if {@code out} is too small
     */
    static void write(
            ByteBuffer out,
            String method,
            String target,
            HttpFields headers,
            String defaultHost,
            HttpVersion clientVersion) {
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
            if (header == HttpHeader.HOST
                    || header == HttpHeader.FORWARDED
                    || header == HttpHeader.X_FORWARDED_HOST
                    || header == HttpHeader.X_FORWARDED_PROTO
                    || HopByHop.drops(field, named)) {
                continue;
            }
            field(out, field.getName(), field.getValue());
        }
        String hop = (clientVersion == HttpVersion.HTTP_1_0 ? "1.0" : "1.1") + " udsgate";
        field(out, "Via", via == null || via.isBlank() ? hop : via + ", " + hop);
        // A Unix-socket client has no address to forward: say so. The client's own forwarding
        // headers are replaced, never passed on: they are not the gateway's to vouch for.
        field(out, "Forwarded", "for=unknown;proto=http" + (host == null ? "" : ";host=\"" + host + "\""));
        if (host != null) {
            field(out, "X-Forwarded-Host", host);
        }
        field(out, "X-Forwarded-Proto", "http");
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
