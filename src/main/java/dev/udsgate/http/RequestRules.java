package dev.udsgate.http;

import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every request must be before the API or the gateway sees it, beyond what Jetty's parser
 * checks: a {@code Host} that is a host name or an IP literal (with an optional port), and a target
 * (path and query) made of the characters a URI may hold, with well-formed percent-encoding. The
 * gateway routes on both and forwards them; a value no URI can hold ({@code Host: billin=},
 * {@code ?a^b}, {@code ?%zz}) is the client's mistake, answered 400 here, not a failure deep in the
 * proxy. Refused requests are logged in one line, at DEBUG.
 *
 * <p>A request without {@code Host} (HTTP/1.0) has the server authority {@code localhost}: a Unix
 * socket has no authority of its own.
 */
public final class RequestRules extends Handler.Wrapper {

    private static final Logger LOG = LoggerFactory.getLogger(RequestRules.class);

    /** DNS-like labels (underscores too, as container names have), or a bracketed IPv6 address. */
    private static final Pattern HOST =
            Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*\\.?|\\[[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?]");

    /** RFC 3986's pchar, "/" and "?" (unreserved, sub-delims, ":" and "@"); "%" is checked on its own. */
    private static final String TARGET_CHARACTERS =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?";

    public RequestRules(Handler next) {
        super(next);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        // Every answer carries the request's id, the gateway's and the API's alike.
        response.getHeaders().put(RequestId.HEADER, RequestId.of(request));
        Optional<String> problem = problemWith(request);
        if (problem.isEmpty()) {
            return super.handle(request, response, callback);
        }
        LOG.debug("{} {}: 400 {}", request.getMethod(), Request.getPathInContext(request), problem.get());
        ProblemWriter.write(request, response, callback, ProblemException.badRequest(problem.get()));
        return true;
    }

    static Optional<String> problemWith(Request request) {
        String host = request.getHttpURI().getHost();
        if (host == null || !HOST.matcher(host).matches()) {
            return Optional.of("the Host header must be a host name or an IP address, with an optional port, such as"
                    + " billing, localhost:8080 or [::1]; got '"
                    + request.getHeaders().get(HttpHeader.HOST) + "'");
        }
        return targetProblem(request.getHttpURI().getPathQuery());
    }

    /** What is wrong with a request target as sent (path and query, still percent-encoded), if anything. */
    static Optional<String> targetProblem(String target) {
        if (target == null) {
            return Optional.empty();
        }
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '%') {
                if (i + 2 >= target.length() || !isHex(target.charAt(i + 1)) || !isHex(target.charAt(i + 2))) {
                    return Optional.of("the request target has a % that does not begin a percent-encoded byte, such"
                            + " as %20 for a space or %25 for % itself");
                }
            } else if (TARGET_CHARACTERS.indexOf(c) < 0) {
                return Optional.of(String.format(
                        "the request target holds a character a URI may not hold, U+%04X; percent-encode it", (int) c));
            }
        }
        return Optional.empty();
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
