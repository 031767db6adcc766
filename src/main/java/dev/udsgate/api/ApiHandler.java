package dev.udsgate.api;

import dev.udsgate.config.RouteRules;
import dev.udsgate.http.ProblemException;
import dev.udsgate.http.ProblemKind;
import dev.udsgate.http.ProblemWriter;
import dev.udsgate.socket.UnixListener;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the API's reserved paths ({@code /_ping}, {@code /v1/...}) from its routing table and
 * hands every other request to the next handler (the gateway).
 */
public final class ApiHandler extends Handler.Wrapper {

    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);

    private final Routes routes;

    public ApiHandler(Routes routes, Handler next) {
        super(next);
        this.routes = routes;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if (!RouteRules.isApiPath(path)) {
            return super.handle(request, response, callback);
        }
        guarded(request, response, callback, () -> answer(request, path, response, callback));
        return true;
    }

    /** Runs {@code action}, answering whatever it throws as a problem: the one place failures become responses. */
    static void guarded(Request request, Response response, Callback callback, Runnable action) {
        try {
            action.run();
        } catch (ProblemException failure) {
            ProblemWriter.write(request, response, callback, failure);
        } catch (RuntimeException failure) {
            LOG.warn("{} {} failed", request.getMethod(), Request.getPathInContext(request), failure);
            ProblemWriter.write(
                    request,
                    response,
                    callback,
                    new ProblemException(
                            ProblemKind.INTERNAL, "the server failed to answer this request; its log has the details"));
        }
    }

    /**
     * Nothing on this path blocks, so Jetty may answer on the thread that read the request; the
     * endpoints that must block (reading a body, writing the state file) move to the pool themselves.
     */
    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    private void answer(Request request, String path, Response response, Callback callback) {
        Routes.Match match = routes.match(request.getMethod(), path);
        if (match instanceof Routes.Found found) {
            ApiCall call = new ApiCall(request, found.pathParameters(), UnixListener.serving(request));
            found.endpoint().handle(call, response, callback);
        } else if (match instanceof Routes.WrongMethod wrong) {
            throw ProblemException.methodNotAllowed(request.getMethod(), path, wrong.allow());
        } else {
            throw ProblemException.notFound("no API endpoint at " + path);
        }
    }
}
