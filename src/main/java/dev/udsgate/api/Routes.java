package dev.udsgate.api;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The API's routing table: method and path template to endpoint, matched in the order added.
 * Every GET also answers HEAD, except streams, which have no end for a HEAD to wait for.
 */
public final class Routes {

    record Route(String method, PathTemplate path, StreamingEndpoint endpoint, boolean answersHead) {}

    /** The outcome of looking a request up. */
    sealed interface Match {}

    record Found(StreamingEndpoint endpoint, Map<String, String> pathParameters) implements Match {}

    record NoSuchPath() implements Match {}

    record WrongMethod(String allow) implements Match {}

    private static final Match NO_SUCH_PATH = new NoSuchPath();

    private final List<Route> routes = new ArrayList<>();

    public Routes get(String path, Endpoint endpoint) {
        return add("GET", path, endpoint);
    }

    public Routes add(String method, String path, Endpoint endpoint) {
        routes.add(new Route(method, new PathTemplate(path), endpoint.streaming(), method.equals("GET")));
        return this;
    }

    /**
     * An operation that blocks (reads a body, writes to disk): it runs on the server's thread pool,
     * never on the thread that read the request.
     */
    public Routes addBlocking(String method, String path, Endpoint endpoint) {
        StreamingEndpoint inline = endpoint.streaming();
        StreamingEndpoint offloaded = (call, response, callback) -> call.request()
                .getComponents()
                .getThreadPool()
                .execute(() -> ApiHandler.guarded(
                        call.request(), response, callback, () -> inline.handle(call, response, callback)));
        routes.add(new Route(method, new PathTemplate(path), offloaded, method.equals("GET")));
        return this;
    }

    /** A GET whose endpoint writes its own response, as a stream. */
    public Routes stream(String path, StreamingEndpoint endpoint) {
        routes.add(new Route("GET", new PathTemplate(path), endpoint, false));
        return this;
    }

    Match match(String method, String path) {
        Set<String> allowed = null;
        for (Route route : routes) {
            Map<String, String> parameters = route.path().match(path);
            if (parameters == null) {
                continue;
            }
            if (route.method().equals(method) || (method.equals("HEAD") && route.answersHead())) {
                return new Found(route.endpoint(), parameters);
            }
            if (allowed == null) {
                allowed = new LinkedHashSet<>();
            }
            allowed.add(route.method());
            if (route.answersHead()) {
                allowed.add("HEAD");
            }
        }
        return allowed == null ? NO_SUCH_PATH : new WrongMethod(String.join(", ", allowed));
    }
}
