package dev.udsgate.api;

import dev.udsgate.config.Exposure;
import dev.udsgate.config.RouteRules;
import dev.udsgate.http.ProblemException;
import dev.udsgate.http.ProblemKind;
import dev.udsgate.http.ProblemWriter;
import dev.udsgate.socket.UnixListener;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the API's reserved paths ({@code /_ping}, {@code /metrics}, {@code /v1/...}) from its routing table and
 * hands every other request to the next handler (the gateway). What a listener offers of the API
 * ({@link Exposure}) is decided here, once: on a listener with none, every path goes to the
 * gateway; on a read-only one, a write is refused before any endpoint sees it; on one that does not
 * serve the metrics, {@code /metrics} is not found.
 */
public final class ApiHandler extends Handler.Wrapper {

    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    private static final String METRICS = "/metrics";

    private final Routes routes;

    public ApiHandler(Routes routes, Handler next) {
        super(next);
        this.routes = routes;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        UnixListener listener = UnixListener.serving(request);
        Exposure exposure = listener.config().exposure();
        Exposure.Api api = exposure.api();
        if (api == Exposure.Api.NONE || !RouteRules.isApiPath(path)) {
            return super.handle(request, response, callback);
        }
        guarded(request, response, callback, () -> {
            if (api == Exposure.Api.READ_ONLY && !isRead(request.getMethod())) {
                throw new ProblemException(
                        ProblemKind.FORBIDDEN,
                        "listener " + listener.name() + " offers the API read-only: " + request.getMethod() + " " + path
                                + " is refused here; use a listener that offers the whole API");
            }
            if (!exposure.metrics() && path.equals(METRICS)) {
                throw ProblemException.notFound("listener " + listener.name() + " does not serve /metrics (metrics:"
                        + " false, the default where the API is not offered whole); GET /v1/sockets shows which"
                        + " listeners do, in offers.metrics");
            }
            answer(request, path, response, callback);
        });
        return true;
    }

    private static boolean isRead(String method) {
        return HttpMethod.GET.is(method) || HttpMethod.HEAD.is(method);
    }

    /** Runs {@code action}, answering whatever it throws as a problem: the one place failures become responses. */
    static void guarded(Request request, Response response, Callback callback, Runnable action) {
        try {
            action.run();
        } catch (ProblemException failure) {
            ProblemWriter.write(request, response, callback, failure);
        } catch (RuntimeException failure) {
            Optional<ProblemException> known = ProblemException.of(failure);
            if (known.isPresent()) {
                logKnown(request, known.get());
                ProblemWriter.write(request, response, callback, known.get());
                return;
            }
            LOG.warn("{} {} failed", request.getMethod(), Request.getPathInContext(request), failure);
            ProblemWriter.write(
                    request,
                    response,
                    callback,
                    new ProblemException(ProblemKind.INTERNAL, ProblemWriter.SERVER_FAILED));
        }
    }

    /** One line: a client's mistake only at DEBUG, a failure the operator must see (a disk) at WARN. */
    private static void logKnown(Request request, ProblemException problem) {
        String path = Request.getPathInContext(request);
        if (problem.kind().status() >= 500) {
            LOG.warn("{} {}: {} {}", request.getMethod(), path, problem.kind().status(), problem.getMessage());
        } else {
            LOG.debug("{} {}: {} {}", request.getMethod(), path, problem.kind().status(), problem.getMessage());
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

    private void answer(Request request, String canonicalPath, Response response, Callback callback) {
        String path = asSent(request, canonicalPath);
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

    /**
     * The path to route on: Jetty's, unless the client sent {@code ;parameters}, which Jetty drops
     * from it; then the path as sent, decoded, so that {@code /v1/routes/a;b} names "a;b" (which
     * the route rules refuse) and never route "a".
     */
    private static String asSent(Request request, String canonicalPath) {
        String raw = request.getHttpURI().getPath();
        if (raw == null || raw.indexOf(';') < 0) {
            return canonicalPath;
        }
        // Jetty has checked the percent-encoding already; its own decodePath would drop the parameters.
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
