package dev.udsgate.gateway;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The routes, indexed so that matching costs the same with ten thousand routes as with one:
 * routes are grouped by host (exact, {@code *.suffix}, or any), and within a group found by the
 * request path's own prefixes, longest first. The order is the specificity rule ({@link
 * RouteRuntime#specificity}): exact host, then the longest wildcard suffix, then any host; then
 * the longest prefix. Immutable: replaced whole on change.
 */
final class RouteTable {

    static final RouteTable EMPTY = new RouteTable(List.of());

    private final List<RouteRuntime> routes;
    private final Map<String, ByPrefix> exactHosts = new HashMap<>();
    /** By suffix with its leading dot: {@code *.internal} is {@code .internal}. */
    private final Map<String, ByPrefix> wildcardHosts = new HashMap<>();

    private final ByPrefix anyHost = new ByPrefix();

    RouteTable(List<RouteRuntime> routes) {
        this.routes = routes.stream()
                .sorted(Comparator.comparingInt(RouteRuntime::specificity)
                        .reversed()
                        .thenComparing(RouteRuntime::name))
                .toList();
        Map<String, List<RouteRuntime>> exact = new HashMap<>();
        Map<String, List<RouteRuntime>> wildcard = new HashMap<>();
        List<RouteRuntime> any = new ArrayList<>();
        for (RouteRuntime route : this.routes) {
            String host = route.config().host().orElse(null);
            if (host == null) {
                any.add(route);
            } else if (host.startsWith("*.")) {
                wildcard.computeIfAbsent(host.substring(1), h -> new ArrayList<>())
                        .add(route);
            } else {
                exact.computeIfAbsent(host, h -> new ArrayList<>()).add(route);
            }
        }
        exact.forEach((host, group) -> exactHosts.put(host, new ByPrefix(group)));
        wildcard.forEach((suffix, group) -> wildcardHosts.put(suffix, new ByPrefix(group)));
        any.forEach(anyHost::add);
        anyHost.seal();
    }

    /**
     * The route for a request, or null.
     *
     * @param host the request's host, any case, or null
     * @param path its canonical path
     */
    RouteRuntime match(String host, String path) {
        if (host != null) {
            String lower = lowerCase(host);
            ByPrefix exact = exactHosts.get(lower);
            RouteRuntime route = exact == null ? null : exact.match(path);
            if (route != null) {
                return route;
            }
            if (!wildcardHosts.isEmpty()) {
                // Longest suffix first: at each dot from the left, what follows it (never the whole host).
                for (int dot = lower.indexOf('.', 1); dot > 0; dot = lower.indexOf('.', dot + 1)) {
                    ByPrefix wildcard = wildcardHosts.get(lower.substring(dot));
                    route = wildcard == null ? null : wildcard.match(path);
                    if (route != null) {
                        return route;
                    }
                }
            }
        }
        return anyHost.match(path);
    }

    List<RouteRuntime> routes() {
        return routes;
    }

    /** Host names are compared in lower case; most already are, and then nothing is made. */
    private static String lowerCase(String host) {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return host.toLowerCase(java.util.Locale.ROOT);
            }
        }
        return host;
    }

    /**
     * The routes of one host group by path prefix. A path is tried against each prefix length the
     * group has, longest first; only a length at which the path has a segment boundary is looked
     * up, so a request makes at most one or two substrings whatever the number of routes.
     */
    private static final class ByPrefix {
        private final Map<String, RouteRuntime> byPrefix = new HashMap<>();
        private int[] lengthsLongestFirst = new int[0];

        ByPrefix() {}

        ByPrefix(List<RouteRuntime> group) {
            group.forEach(this::add);
            seal();
        }

        /** In table order: of two routes with the same host and prefix, the first by name wins. */
        void add(RouteRuntime route) {
            byPrefix.putIfAbsent(route.config().pathPrefix(), route);
        }

        void seal() {
            TreeSet<Integer> lengths = new TreeSet<>(Comparator.reverseOrder());
            byPrefix.keySet().forEach(prefix -> lengths.add(prefix.length()));
            lengthsLongestFirst = lengths.stream().mapToInt(Integer::intValue).toArray();
        }

        RouteRuntime match(String path) {
            for (int length : lengthsLongestFirst) {
                if (length > path.length() || !isBoundary(path, length)) {
                    continue;
                }
                RouteRuntime route = byPrefix.get(length == path.length() ? path : path.substring(0, length));
                if (route != null) {
                    return route;
                }
            }
            return null;
        }

        /**
         * Whether a prefix of this length can match ({@link RouteRuntime#matchesPath}): the whole
         * path, a prefix ending in {@code /}, or one followed by {@code /}.
         */
        private static boolean isBoundary(String path, int length) {
            return length == path.length() || path.charAt(length - 1) == '/' || path.charAt(length) == '/';
        }
    }
}
