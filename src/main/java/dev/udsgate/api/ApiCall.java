package dev.udsgate.api;

import dev.udsgate.socket.UnixListener;
import java.util.Map;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Request;

/**
 * One API request as an endpoint sees it.
 *
 * @param request Jetty's request, for query and headers
 * @param pathParameters values of the route's {@code {name}} segments
 * @param listener the listener the request came through
 */
public record ApiCall(Request request, Map<String, String> pathParameters, UnixListener listener) {

    /** The connection the request arrived on. */
    public Connection connection() {
        return request.getConnectionMetaData().getConnection();
    }

    public String pathParameter(String name) {
        return pathParameters.get(name);
    }
}
