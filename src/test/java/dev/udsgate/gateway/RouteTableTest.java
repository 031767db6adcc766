package dev.udsgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.udsgate.config.RouteConfig;
import dev.udsgate.events.EventLog;
import dev.udsgate.testing.ConfigFixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;

class RouteTableTest {

    private static final Server SERVER = new Server();
    private static final EventLog EVENTS = new EventLog(10, 10);

    private static RouteRuntime route(String name, String host, String prefix) {
        RouteConfig config = ConfigFixtures.route(name, host, prefix, Path.of("/run/" + name + ".sock"));
        return new RouteRuntime(config, SERVER, EVENTS, Map.of(), "udsgate", null, null);
    }

    private static String matched(RouteTable table, String host, String path) {
        RouteRuntime route = table.match(host, path);
        return route == null ? null : route.name();
    }

    @Test
    void exactHostBeatsWildcardBeatsAnyHostThenTheLongestPrefixWins() {
        RouteTable table = RouteTable.of(List.of(
                route("any-root", null, "/"),
                route("any-api", null, "/api"),
                route("wild", "*.internal", "/"),
                route("wild-deeper", "*.b.internal", "/"),
                route("exact", "billing.internal", "/"),
                route("exact-api", "billing.internal", "/api/")));

        assertThat(matched(table, "billing.internal", "/api/users")).isEqualTo("exact-api");
        assertThat(matched(table, "billing.internal", "/apix")).isEqualTo("exact");
        assertThat(matched(table, "BILLING.internal", "/")).isEqualTo("exact");
        assertThat(matched(table, "a.b.internal", "/api")).isEqualTo("wild-deeper");
        assertThat(matched(table, "x.internal", "/api")).isEqualTo("wild");
        assertThat(matched(table, ".internal", "/api")).isEqualTo("any-api");
        assertThat(matched(table, "other", "/api/x")).isEqualTo("any-api");
        assertThat(matched(table, "other", "/apix")).isEqualTo("any-root");
        assertThat(matched(table, null, "/api")).isEqualTo("any-api");
    }

    @Test
    void aPrefixMatchesOnASegmentBoundaryOnly() {
        RouteTable table = RouteTable.of(List.of(route("api", null, "/api"), route("slash", "h", "/docs/")));

        assertThat(matched(table, null, "/api")).isEqualTo("api");
        assertThat(matched(table, null, "/api/")).isEqualTo("api");
        assertThat(matched(table, null, "/api/v1")).isEqualTo("api");
        assertThat(matched(table, null, "/apis")).isNull();
        assertThat(matched(table, "h", "/docs/a")).isEqualTo("slash");
        assertThat(matched(table, "h", "/docs")).isNull();
    }

    /** A table changed one route at a time matches as one made whole from the same routes. */
    @Test
    void changesOneAtATimeGiveTheTableMadeWhole() {
        Random random = new Random(7);
        String[] hosts = {null, "a", "*.x", "b.x"};
        String[] prefixes = {"/", "/a", "/a/b"};
        java.util.Map<String, RouteRuntime> routes = new java.util.LinkedHashMap<>();
        RouteTable table = RouteTable.EMPTY;
        for (int step = 0; step < 300; step++) {
            String name = "r" + random.nextInt(12);
            if (random.nextInt(4) == 0) {
                RouteRuntime removed = routes.remove(name);
                if (removed != null) {
                    table = table.without(removed);
                }
            } else {
                RouteRuntime route =
                        route(name, hosts[random.nextInt(hosts.length)], prefixes[random.nextInt(prefixes.length)]);
                table = table.with(route, routes.put(name, route));
            }
            RouteTable whole = RouteTable.of(List.copyOf(routes.values()));
            for (String host : new String[] {null, "a", "q.x", "b.x"}) {
                for (String path : new String[] {"/", "/a", "/a/b/c", "/z"}) {
                    assertThat(table.match(host, path))
                            .as(step + " " + host + " " + path)
                            .isSameAs(whole.match(host, path));
                }
            }
        }
    }

    /** The index picks what trying every route in specificity order would pick, on a random table. */
    @Test
    void theIndexAgreesWithTryingEveryRouteInOrder() {
        Random random = new Random(42);
        String[] hosts = {null, "a", "b.x", "*.x", "*.y.x", "c.y.x", "*.z"};
        String[] prefixes = {"/", "/a", "/a/", "/a/b", "/b", "/a/b/c", "/ab"};
        List<RouteRuntime> routes = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            routes.add(route("r" + i, hosts[random.nextInt(hosts.length)], prefixes[random.nextInt(prefixes.length)]));
        }
        RouteTable table = RouteTable.of(routes);
        String[] requestHosts = {null, "a", "A", "b.x", "q.x", "q.y.x", "c.y.x", "w.z", "z", "x"};
        String[] paths = {"/", "/a", "/a/", "/a/b", "/a/bc", "/ab", "/abc", "/a/b/c/d", "/b/", "/c"};
        for (String host : requestHosts) {
            for (String path : paths) {
                RouteRuntime expected = routes.stream()
                        .sorted(java.util.Comparator.comparingInt(RouteRuntime::specificity)
                                .reversed()
                                .thenComparing(RouteRuntime::name))
                        .filter(route -> route.matchesHost(host) && route.matchesPath(path))
                        .findFirst()
                        .orElse(null);
                assertThat(table.match(host, path)).as(host + " " + path).isSameAs(expected);
            }
        }
    }
}
