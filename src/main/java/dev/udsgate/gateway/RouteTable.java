package dev.udsgate.gateway;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The routes, indexed so that matching costs the same with ten thousand routes as with one, and so
 * that changing one route costs about the same too: routes are grouped by host (exact, {@code
 * *.suffix}, or any), and within a group found by the request path's own prefixes, longest first;
 * a change rebuilds only the groups of the route it changes. The order is the specificity rule
 * ({@link RouteRuntime#specificity}): exact host, then the longest wildcard suffix, then any host;
 * then the longest prefix; of two routes with the same host and prefix, the first by name.
 * Immutable: a change makes a new table.
 */
final class RouteTable {

    static final RouteTable EMPTY = of(List.of());

    private final Map<String, ByPrefix> exactHosts;
    /** By suffix with its leading dot: {@code *.internal} is {@code .internal}. */
    private final Map<String, ByPrefix> wildcardHosts;

    private final ByPrefix anyHost;

    private RouteTable(Map<String, ByPrefix> exactHosts, Map<String, ByPrefix> wildcardHosts, ByPrefix anyHost) {
        this.exactHosts = exactHosts;
        this.wildcardHosts = wildcardHosts;
        this.anyHost = anyHost;
    }

    /** @param routes with names of their own */
    static RouteTable of(Collection<RouteRuntime> routes) {
        Map<String, List<RouteRuntime>> exact = new HashMap<>();
        Map<String, List<RouteRuntime>> wildcard = new HashMap<>();
        List<RouteRuntime> any = new ArrayList<>();
        for (RouteRuntime route : routes) {
            HostKey key = HostKey.of(route);
            switch (key.kind()) {
                case EXACT ->
                    exact.computeIfAbsent(key.text(), k -> new ArrayList<>()).add(route);
                case WILDCARD ->
                    wildcard.computeIfAbsent(key.text(), k -> new ArrayList<>()).add(route);
                case ANY -> any.add(route);
            }
        }
        Map<String, ByPrefix> exactHosts = new HashMap<>();
        exact.forEach((host, group) -> exactHosts.put(host, new ByPrefix(group)));
        Map<String, ByPrefix> wildcardHosts = new HashMap<>();
        wildcard.forEach((suffix, group) -> wildcardHosts.put(suffix, new ByPrefix(group)));
        return new RouteTable(exactHosts, wildcardHosts, new ByPrefix(any));
    }

    /**
     * This table with {@code route} added, in place of {@code replaced} (the route of its name
     * here, or null).
     */
    RouteTable with(RouteRuntime route, RouteRuntime replaced) {
        return regrouped(replaced, route);
    }

    /** This table without {@code removed}, one of its routes. */
    RouteTable without(RouteRuntime removed) {
        return regrouped(removed, null);
    }

    /** Only the groups {@code removed} and {@code added} belong to are made again. */
    private RouteTable regrouped(RouteRuntime removed, RouteRuntime added) {
        Map<String, ByPrefix> exact = exactHosts;
        Map<String, ByPrefix> wildcard = wildcardHosts;
        ByPrefix any = anyHost;
        for (RouteRuntime touched : new RouteRuntime[] {removed, added}) {
            if (touched == null) {
                continue;
            }
            HostKey key = HostKey.of(touched);
            switch (key.kind()) {
                case EXACT -> exact = regroup(exact, key.text(), removed, added, key);
                case WILDCARD -> wildcard = regroup(wildcard, key.text(), removed, added, key);
                case ANY -> any = (any == null ? ByPrefix.EMPTY : any).replacing(removed, added, key);
            }
        }
        return new RouteTable(exact, wildcard, any);
    }

    private static Map<String, ByPrefix> regroup(
            Map<String, ByPrefix> groups, String host, RouteRuntime removed, RouteRuntime added, HostKey key) {
        ByPrefix group = groups.getOrDefault(host, ByPrefix.EMPTY).replacing(removed, added, key);
        Map<String, ByPrefix> copy = new HashMap<>(groups);
        if (group.isEmpty()) {
            copy.remove(host);
        } else {
            copy.put(host, group);
        }
        return copy;
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

    /** Host names are compared in lower case; most already are, and then nothing is made. */
    private static String lowerCase(String host) {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return host.toLowerCase(Locale.ROOT);
            }
        }
        return host;
    }

    /** Which host group a route is in. */
    private record HostKey(Kind kind, String text) {
        enum Kind {
            EXACT,
            WILDCARD,
            ANY
        }

        static HostKey of(RouteRuntime route) {
            String host = route.config().host().orElse(null);
            if (host == null) {
                return new HostKey(Kind.ANY, "");
            }
            return host.startsWith("*.")
                    ? new HostKey(Kind.WILDCARD, host.substring(1))
                    : new HostKey(Kind.EXACT, host);
        }
    }

    /**
     * The routes of one host group by path prefix. A path is tried against each prefix length the
     * group has, longest first; only a length at which the path has a segment boundary is looked
     * up, so a request makes at most one or two substrings whatever the number of routes.
     */
    private static final class ByPrefix {
        static final ByPrefix EMPTY = new ByPrefix(List.of());

        /** By name: of two routes with the same prefix, the first by name wins. */
        private final List<RouteRuntime> members;

        private final Map<String, RouteRuntime> byPrefix = new HashMap<>();
        private final int[] lengthsLongestFirst;

        ByPrefix(List<RouteRuntime> group) {
            this.members = group.stream()
                    .sorted(Comparator.comparing(RouteRuntime::name))
                    .toList();
            members.forEach(route -> byPrefix.putIfAbsent(route.config().pathPrefix(), route));
            TreeSet<Integer> lengths = new TreeSet<>(Comparator.reverseOrder());
            byPrefix.keySet().forEach(prefix -> lengths.add(prefix.length()));
            this.lengthsLongestFirst =
                    lengths.stream().mapToInt(Integer::intValue).toArray();
        }

        boolean isEmpty() {
            return members.isEmpty();
        }

        /** This group less {@code removed}, plus {@code added} if it belongs here ({@code key}'s group). */
        ByPrefix replacing(RouteRuntime removed, RouteRuntime added, HostKey key) {
            List<RouteRuntime> next = new ArrayList<>(members.size() + 1);
            for (RouteRuntime member : members) {
                if (member != removed && (added == null || !member.name().equals(added.name()))) {
                    next.add(member);
                }
            }
            if (added != null && HostKey.of(added).equals(key)) {
                next.add(added);
            }
            return new ByPrefix(next);
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
