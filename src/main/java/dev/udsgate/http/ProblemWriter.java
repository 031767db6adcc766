package dev.udsgate.http;

import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** The one place a failure becomes a response: {@code application/problem+json}, never a stack trace. */
public final class ProblemWriter {

    /** The detail of every failure of the server's own: what failed is in the log, not on the wire. */
    public static final String SERVER_FAILED = "the server failed to answer this request; its log has the details";

    private ProblemWriter() {}

    /**
     * The detail for a request Jetty refused while reading it: the rule broken, in Jetty's words
     * ({@code No Host}, {@code Unknown Version}), which name nothing internal.
     */
    static String clientError(String title, String reason) {
        String why = reason == null || reason.isBlank() ? title : reason;
        return "the request is malformed: " + why + "; nothing was done";
    }

    public static void write(Request request, Response response, Callback callback, ProblemException failure) {
        ProblemKind kind = failure.kind();
        Problem problem = new Problem(
                kind.type(),
                kind.title(),
                kind.status(),
                failure.getMessage(),
                instance(request),
                failure.errors(),
                null);
        write(response, callback, problem, failure.headers());
    }

    /**
     * The path as the client sent it, still percent-encoded and with any {@code ;parameters}, which
     * Jetty's decoded path drops: a problem about {@code /v1/routes/a;b} must not name {@code /v1/routes/a}.
     */
    private static String instance(Request request) {
        String sent = request.getHttpURI().getPath();
        return sent == null ? Request.getPathInContext(request) : sent;
    }

    public static void write(Response response, Callback callback, Problem problem, Map<String, String> headers) {
        if (response.isCommitted()) {
            // Too late for a status line: cut the response short so the client sees a failure.
            callback.failed(new IllegalStateException(problem.detail()));
            return;
        }
        Request request = response.getRequest();
        String requestId = request == null ? null : RequestId.known(request);
        byte[] body = Json.bytes(requestId == null ? problem : problem.withRequestId(requestId));
        response.setStatus(problem.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, HttpHeaderValue.NO_CACHE.asString() + ", no-store");
        response.getHeaders().put(ApiHeaders.API_VERSION);
        headers.forEach(response.getHeaders()::put);
        if (requestId != null) {
            response.getHeaders().put(RequestId.HEADER, requestId);
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
