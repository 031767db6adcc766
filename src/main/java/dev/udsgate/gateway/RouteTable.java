package dev.udsgate.gateway;

import java.util.Comparator;
import java.util.List;

/** The routes in the order they are tried, most specific first. Immutable: replaced whole on change. */
final class RouteTable {

    static final RouteTable EMPTY = new RouteTable(List.of());

    private final List<RouteRuntime> routes;

    RouteTable(List<RouteRuntime> routes) {
        this.routes = routes.stream()
                .sorted(Comparator.comparingInt(RouteRuntime::specificity)
                        .reversed()
                        .thenComparing(RouteRuntime::name))
                .toList();
    }

    /** The route for a request, or null. */
    RouteRuntime match(String host, String path) {
        for (RouteRuntime route : routes) {
            if (route.matchesHost(host) && route.matchesPath(path)) {
                return route;
            }
        }
        return null;
    }

    List<RouteRuntime> routes() {
        return routes;
    }
}
