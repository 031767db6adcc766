package dev.udsgate.http;

import java.util.Map;
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
 */
public final class ProblemErrorHandler implements Request.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemErrorHandler.class);

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = request.getAttribute(ErrorHandler.ERROR_STATUS) instanceof Integer code ? code : 500;
        Throwable cause = (Throwable) request.getAttribute(ErrorHandler.ERROR_EXCEPTION);
        // A status the API has no kind for is described by its status alone, as RFC 9457 "about:blank".
        String type = ProblemKind.forStatus(status).map(ProblemKind::type).orElse("about:blank");
        String title = HttpStatus.getMessage(status);
        String detail;
        if (status >= 500) {
            LOG.warn(
                    "{} {} failed with {}",
                    request.getMethod(),
                    request.getHttpURI().getPath(),
                    status,
                    cause);
            detail = "the server failed to answer this request; its log has the details";
        } else {
            // Jetty's own 4xx messages name the protocol rule broken; they carry nothing internal.
            Object message = request.getAttribute(ErrorHandler.ERROR_MESSAGE);
            detail = message == null ? title : message.toString();
        }
        String path = request.getHttpURI() == null ? null : request.getHttpURI().getPath();
        ProblemWriter.write(response, callback, new Problem(type, title, status, detail, path, null), Map.of());
        return true;
    }
}
