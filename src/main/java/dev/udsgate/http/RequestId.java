package dev.udsgate.http;

import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.jetty.server.Request;

/**
 * A request's id, as proxies pass it along ({@code X-Request-Id}): the client's own when it sent a
 * valid one, else one made here. The same id goes upstream, comes back to the client on every
 * answer, and is in every problem, so one request can be followed through udsgate and its upstream.
 */
public final class RequestId {

    public static final String HEADER = "X-Request-Id";

    /** Longer ids, or ones with other characters, are replaced: they end up in logs and headers. */
    static final int MAX_LENGTH = 128;

    private static final String ATTRIBUTE = RequestId.class.getName();
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestId() {}

    /** The id of {@code request}, chosen on first use and kept with the request. */
    public static String of(Request request) {
        if (request.getAttribute(ATTRIBUTE) instanceof String id) {
            return id;
        }
        String sent = request.getHeaders().get(HEADER);
        String id = isValid(sent) ? sent : generated();
        request.setAttribute(ATTRIBUTE, id);
        return id;
    }

    /** The id {@link #of} chose for {@code request}, or null if none was chosen (Jetty refused it first). */
    public static String known(Request request) {
        return request.getAttribute(ATTRIBUTE) instanceof String id ? id : null;
    }

    /** 1 to 128 letters, digits, {@code .}, {@code _}, {@code :} and {@code -}: what ids are written with. */
    static boolean isValid(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '_'
                    || c == ':'
                    || c == '-';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    /** 64 random bits as 16 hex digits: unique enough to follow one request, cheap to make. */
    private static String generated() {
        long bits = ThreadLocalRandom.current().nextLong();
        char[] text = new char[16];
        for (int i = 15; i >= 0; i--) {
            text[i] = HEX[(int) (bits & 0xf)];
            bits >>>= 4;
        }
        return new String(text);
    }
}
