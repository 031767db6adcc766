package dev.udsgate.api;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The API's routing table: method and path template to endpoint. Every GET also answers HEAD. */
public final class Routes {

    record Route(String method, PathTemplate path, Endpoint endpoint) {}

    /** The outcome of looking a request up. */
    sealed interface Match {}

    record Found(Endpoint endpoint, Map<String, String> pathParameters) implements Match {}

    record NoSuchPath() implements Match {}

    record WrongMethod(String allow) implements Match {}

    private static final Match NO_SUCH_PATH = new NoSuchPath();

    private final List<Route> routes = new ArrayList<>();

    public Routes get(String path, Endpoint endpoint) {
        return add("GET", path, endpoint);
    }

    public Routes add(String method, String path, Endpoint endpoint) {
        routes.add(new Route(method, new PathTemplate(path), endpoint));
        return this;
    }

    Match match(String method, String path) {
        String lookup = "HEAD".equals(method) ? "GET" : method;
        Set<String> allowed = null;
        for (Route route : routes) {
            Map<String, String> parameters = route.path().match(path);
            if (parameters == null) {
                continue;
            }
            if (route.method().equals(lookup) || route.method().equals(method)) {
                return new Found(route.endpoint(), parameters);
            }
            if (allowed == null) {
                allowed = new LinkedHashSet<>();
            }
            allowed.add(route.method());
            if (route.method().equals("GET")) {
                allowed.add("HEAD");
            }
        }
        return allowed == null ? NO_SUCH_PATH : new WrongMethod(String.join(", ", allowed));
    }
}
