package dev.udsgate.reload;

import dev.udsgate.config.ConnectionLimits;
import dev.udsgate.config.GatewayConfig;
import dev.udsgate.config.ListenerConfig;
import dev.udsgate.config.RouteConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The differences between the running configuration and one read again, and the configuration to
 * run from now on. Pure: it looks at no file and starts nothing.
 *
 * <p>What only a restart can change (timeouts, history sizes, connection limits, the state file, the
 * fast-path switch, watching the file) is kept as it runs, for every listener, the added ones included, and named in
 * {@link #atNextStart}: one configuration is in force, never a mix.
 *
 * @param next the configuration in force once the plan is applied
 * @param added listeners that are new, by name
 * @param removed listeners that are gone
 * @param changed listeners kept, whose mode, group, offer or access rules changed: applied to the live listener
 * @param replaced listeners whose path, owner or backlog changed: the old one stops, a new one starts
 * @param atNextStart the keys of the settings that changed but only apply at the next start
 */
public record ReloadPlan(
        GatewayConfig next,
        List<ListenerConfig> added,
        List<ListenerConfig> removed,
        List<Change> changed,
        List<Change> replaced,
        List<String> routesAdded,
        List<String> routesRemoved,
        List<String> routesChanged,
        List<String> atNextStart) {

    public ReloadPlan {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = List.copyOf(changed);
        replaced = List.copyOf(replaced);
        routesAdded = List.copyOf(routesAdded);
        routesRemoved = List.copyOf(routesRemoved);
        routesChanged = List.copyOf(routesChanged);
        atNextStart = List.copyOf(atNextStart);
    }

    /** One listener, as it runs and as it is to be. */
    public record Change(ListenerConfig before, ListenerConfig after) {
        public boolean permissions() {
            return !before.mode().equals(after.mode()) || !before.group().equals(after.group());
        }

        public boolean exposure() {
            return !before.exposure().equals(after.exposure());
        }

        /** What a live socket cannot change: its path, the owner it was given, its {@code listen()} backlog. */
        static boolean needsNewSocket(ListenerConfig before, ListenerConfig after) {
            return !before.socketPath().equals(after.socketPath())
                    || !before.owner().equals(after.owner())
                    || before.backlog() != after.backlog();
        }
    }

    public static ReloadPlan between(GatewayConfig running, GatewayConfig read) {
        List<String> atNextStart = restartOnly(running, read);
        ConnectionLimits limits = running.listeners().get(0).limits();
        List<ListenerConfig> listeners =
                read.listeners().stream().map(l -> withLimits(l, limits)).toList();
        GatewayConfig next = new GatewayConfig(
                listeners,
                running.shutdownTimeout(),
                running.idleTimeout(),
                running.headerTimeout(),
                running.history(),
                read.routes(),
                running.stateFile(),
                running.fastPath(),
                running.accessLog(),
                running.logFormat(),
                running.watchConfig());

        Map<String, ListenerConfig> before = byName(running.listeners(), ListenerConfig::name);
        Map<String, ListenerConfig> after = byName(listeners, ListenerConfig::name);
        List<ListenerConfig> added = new ArrayList<>();
        List<Change> changed = new ArrayList<>();
        List<Change> replaced = new ArrayList<>();
        after.forEach((name, listener) -> {
            ListenerConfig old = before.get(name);
            if (old == null) {
                added.add(listener);
            } else if (Change.needsNewSocket(old, listener)) {
                replaced.add(new Change(old, listener));
            } else if (!old.equals(listener)) {
                changed.add(new Change(old, listener));
            }
        });
        List<ListenerConfig> removed = running.listeners().stream()
                .filter(listener -> !after.containsKey(listener.name()))
                .toList();

        Map<String, RouteConfig> routesBefore = byName(running.routes(), RouteConfig::name);
        Map<String, RouteConfig> routesAfter = byName(read.routes(), RouteConfig::name);
        return new ReloadPlan(
                next,
                added,
                removed,
                changed,
                replaced,
                names(routesAfter.keySet().stream().filter(name -> !routesBefore.containsKey(name))),
                names(routesBefore.keySet().stream().filter(name -> !routesAfter.containsKey(name))),
                names(routesAfter.keySet().stream()
                        .filter(name -> routesBefore.containsKey(name)
                                && !routesBefore.get(name).equals(routesAfter.get(name)))),
                atNextStart);
    }

    /** The summary of this plan applied, with what failed on the way. */
    public ReloadSummary summary(List<String> failed) {
        return new ReloadSummary(
                new ReloadSummary.ListenerChanges(
                        added.stream().map(ListenerConfig::name).toList(),
                        removed.stream().map(ListenerConfig::name).toList(),
                        changed.stream().map(change -> change.after().name()).toList(),
                        replaced.stream().map(change -> change.after().name()).toList()),
                new ReloadSummary.RouteChanges(routesAdded, routesRemoved, routesChanged),
                atNextStart,
                failed);
    }

    /** The keys, as the file names them, of the settings only a restart applies that differ. */
    private static List<String> restartOnly(GatewayConfig running, GatewayConfig read) {
        ConnectionLimits limitsBefore = running.listeners().get(0).limits();
        ConnectionLimits limitsAfter = read.listeners().get(0).limits();
        Map<String, Boolean> differs = new LinkedHashMap<>();
        differs.put("shutdownTimeout", !running.shutdownTimeout().equals(read.shutdownTimeout()));
        differs.put("idleTimeout", !running.idleTimeout().equals(read.idleTimeout()));
        differs.put("headerTimeout", !running.headerTimeout().equals(read.headerTimeout()));
        differs.put("maxConnections", limitsBefore.maxConnections() != limitsAfter.maxConnections());
        differs.put(
                "maxConnectionsPerUser", limitsBefore.maxConnectionsPerUser() != limitsAfter.maxConnectionsPerUser());
        differs.put(
                "connectionHistory",
                running.history().closedConnections() != read.history().closedConnections());
        differs.put("eventHistory", running.history().events() != read.history().events());
        differs.put(
                "eventQueue",
                running.history().subscriberQueue() != read.history().subscriberQueue());
        differs.put("stateFile", !Objects.equals(running.stateFile(), read.stateFile()));
        differs.put("fastPath", running.fastPath() != read.fastPath());
        differs.put("accessLog", !running.accessLog().equals(read.accessLog()));
        differs.put("logFormat", running.logFormat() != read.logFormat());
        differs.put("watchConfig", running.watchConfig() != read.watchConfig());
        return differs.entrySet().stream()
                .filter(Map.Entry::getValue)
                .map(Map.Entry::getKey)
                .toList();
    }

    private static ListenerConfig withLimits(ListenerConfig listener, ConnectionLimits limits) {
        return listener.withLimits(limits);
    }

    private static <T> Map<String, T> byName(List<T> items, Function<T, String> name) {
        return items.stream().collect(Collectors.toMap(name, Function.identity(), (a, b) -> a, LinkedHashMap::new));
    }

    private static List<String> names(java.util.stream.Stream<String> names) {
        return names.toList();
    }
}
