package dev.udsgate.http;

import dev.udsgate.config.AccessLogFormat;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;

/**
 * One line per request once it is answered, as nginx's access log has: time (UTC), listener,
 * connection id, the peer's uid, method, path, route, status, bytes sent, duration and request id.
 * Written to standard output, apart from the log (standard error), so that a collector can read it
 * whole; as text or as one JSON object per line. The line is handed to an {@link AccessLogWriter}:
 * the request's thread never waits for standard output.
 */
public final class AccessLog implements RequestLog {

    /** The request attribute under which the gateway names the route that took a request. */
    public static final String ROUTE = AccessLog.class.getName() + ".route";

    /** What the access log knows of a connection: its id and its peer's uid, when tracked. */
    public record ConnectionFacts(String id, Long uid) {}

    private final AccessLogFormat format;
    private final Consumer<String> out;
    private final Function<Connection, Optional<ConnectionFacts>> connections;

    /** @param connections the id and peer of a connection, from the registry; empty when untracked */
    public AccessLog(
            AccessLogFormat format, Consumer<String> out, Function<Connection, Optional<ConnectionFacts>> connections) {
        this.format = format;
        this.out = out;
        this.connections = connections;
    }

    @Override
    public void log(Request request, Response response) {
        Optional<ConnectionFacts> connection =
                connections.apply(request.getConnectionMetaData().getConnection());
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Json.TIME.format(Instant.ofEpochMilli(Request.getTimeStamp(request))));
        line.put("listener", request.getConnectionMetaData().getConnector().getName());
        line.put("connection", connection.map(ConnectionFacts::id).orElse(null));
        line.put("uid", connection.map(ConnectionFacts::uid).orElse(null));
        line.put("method", request.getMethod());
        line.put("path", request.getHttpURI().getPathQuery());
        line.put("route", request.getAttribute(ROUTE));
        line.put("status", response.getStatus());
        line.put("bytes", Response.getContentBytesWritten(response));
        line.put("durationMillis", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - request.getBeginNanoTime()));
        line.put("requestId", RequestId.known(request));
        out.accept(format == AccessLogFormat.JSON ? new String(Json.bytes(line), StandardCharsets.UTF_8) : text(line));
    }

    /** {@code 2026-12-02T02:20:00.123Z main 12 uid=0 GET /v1/routes route=- 200 123 1ms id=...} */
    private static String text(Map<String, Object> line) {
        return line.get("time") + " " + line.get("listener") + " " + orDash(line.get("connection")) + " uid="
                + orDash(line.get("uid")) + " " + line.get("method") + " " + line.get("path") + " route="
                + orDash(line.get("route")) + " " + line.get("status") + " " + line.get("bytes") + " "
                + line.get("durationMillis") + "ms id=" + orDash(line.get("requestId"));
    }

    private static Object orDash(Object value) {
        return value == null ? "-" : value;
    }
}
