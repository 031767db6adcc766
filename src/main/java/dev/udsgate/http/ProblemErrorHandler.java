package dev.udsgate.http;

import java.util.Map;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the errors Jetty raises itself (a malformed request line, headers too large, a handler
 * that threw) in the API's problem format instead of Jetty's HTML page.
 *
 * <p>A request Jetty could not parse is the client's mistake whatever its status (an unknown HTTP
 * version is a 505): it is answered with what was wrong and logged in one line at DEBUG, so that a
 * client sending garbage cannot fill the log. Only a failure of the server is a WARN with its trace.
 */
public final class ProblemErrorHandler implements Request.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemErrorHandler.class);

    /** The path Jetty gives a request whose request line it could not read: not the client's. */
    private static final String JETTY_BAD_MESSAGE_PATH = "/badMessage";

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = request.getAttribute(ErrorHandler.ERROR_STATUS) instanceof Integer code ? code : 500;
        Throwable cause = (Throwable) request.getAttribute(ErrorHandler.ERROR_EXCEPTION);
        // A status the API has no kind for is described by its status alone, as RFC 9457 "about:blank".
        String type = ProblemKind.forStatus(status).map(ProblemKind::type).orElse("about:blank");
        String title = HttpStatus.getMessage(status);
        String path = pathOf(request);
        String detail;
        if (status < 500 || cause instanceof HttpException) {
            // Jetty's own messages name the protocol rule broken; they carry nothing internal.
            detail = ProblemWriter.clientError(title, messageOf(request, cause));
            LOG.debug("{} {}: {} {}", request.getMethod(), path, status, detail);
        } else {
            LOG.warn("{} {} failed with {}", request.getMethod(), path, status, cause);
            detail = ProblemWriter.SERVER_FAILED;
        }
        ProblemWriter.write(response, callback, new Problem(type, title, status, detail, path, null, null), Map.of());
        return true;
    }

    private static String messageOf(Request request, Throwable cause) {
        if (cause instanceof HttpException http && http.getReason() != null) {
            return http.getReason();
        }
        Object message = request.getAttribute(ErrorHandler.ERROR_MESSAGE);
        return message == null ? null : message.toString();
    }

    /** The request's path, or null when Jetty could not read one. */
    private static String pathOf(Request request) {
        if (request.getHttpURI() == null) {
            return null;
        }
        String path = request.getHttpURI().getPath();
        return path == null || path.equals(JETTY_BAD_MESSAGE_PATH) ? null : path;
    }
}
