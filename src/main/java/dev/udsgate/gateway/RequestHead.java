package dev.udsgate.gateway;

import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpField;

/**
 * Writes the head of a request as the gateway's own transports forward it (the fast path, the
 * upgrade path): the request line with the upstream's target, then the headers the exchange says to
 * send ({@link Exchange#forwardedHeaders}), the same as Jetty's proxy sends.
 */
public final class RequestHead {

    private static final byte[] CRLF = {'\r', '\n'};

    private RequestHead() {}

    /**
     * @param target the path and query sent upstream
     * @param host the {@code Host} sent
     * @param headers writes every other header into the sink it is given
     * @throws java.nio.BufferOverflowException if {@code out} is too small
     */
    public static void write(
            ByteBuffer out, String method, String target, String host, Consumer<Consumer<HttpField>> headers) {
        put(out, method);
        out.put((byte) ' ');
        put(out, target);
        put(out, " HTTP/1.1");
        out.put(CRLF);
        field(out, "Host", host);
        headers.accept(field -> field(out, field.getName(), field.getValue()));
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
