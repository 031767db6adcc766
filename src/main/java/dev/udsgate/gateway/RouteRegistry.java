package dev.udsgate.gateway;

import dev.udsgate.config.FieldError;
import dev.udsgate.config.InvalidConfigException;
import dev.udsgate.config.RouteConfig;
import dev.udsgate.config.RouteDocument;
import dev.udsgate.config.RouteRules;
import dev.udsgate.config.StateFileException;
import dev.udsgate.config.VersionMismatchException;
import dev.udsgate.events.EventLog;
import dev.udsgate.events.Occurrence;
import dev.udsgate.http.Json;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The routes: those of the configuration file, changed by those put or deleted over the API. API
 * changes are written to the state file before they are answered, and applied over the file's
 * routes at every start. Each route has an ETag; a change that names a stale one is refused.
 */
public final class RouteRegistry {

    /** The configuration file's routes: replaced whole by a reload ({@link #reconfigure}). */
    private Map<String, RouteConfig> configured;

    private final Optional<RouteStore> store;
    private final EventLog events;
    private final GatewayRouter router;
    private List<java.nio.file.Path> ownSockets;
    /** What the API changed, in order: a route put, or null for a configured route deleted. */
    private Map<String, RouteConfig> changes = new LinkedHashMap<>();

    /** The routes now, in configuration order then the API's additions; changed in place, under this lock. */
    private Map<String, Versioned> current = new LinkedHashMap<>();

    /**
     * @param stateFile where API changes are kept; empty: they last until the process ends
     * @param ownSockets udsgate's own listener paths, which no route may lead back to
     */
    public RouteRegistry(
            List<RouteConfig> configured,
            Optional<java.nio.file.Path> stateFile,
            EventLog events,
            GatewayRouter router,
            List<java.nio.file.Path> ownSockets) {
        this.configured = byName(configured);
        this.store = stateFile.map(RouteStore::new);
        this.events = events;
        this.router = router;
        this.ownSockets = List.copyOf(ownSockets);
    }

    /** udsgate's own listener paths: a route to one of them is refused ({@link RouteRules#checkNotOwnSocket}). */
    public synchronized List<java.nio.file.Path> ownSockets() {
        return ownSockets;
    }

    /**
     * What is wrong with these routes from the configuration file, and with the routes changed over
     * the API, once udsgate listens on {@code ownSockets}: a route to one of them, each at its key
     * path. Empty: {@link #reconfigure} with them cannot fail.
     */
    public synchronized List<FieldError> check(List<RouteConfig> configured, List<java.nio.file.Path> ownSockets) {
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < configured.size(); i++) {
            RouteRules.checkNotOwnSocket(configured.get(i), ownSockets, "routes[" + i + "]", errors);
        }
        changes.forEach((name, route) -> {
            if (route != null) {
                RouteRules.checkNotOwnSocket(route, ownSockets, "routes." + name, errors);
            }
        });
        return errors;
    }

    /**
     * The configuration file's routes are now these, and udsgate's own sockets these: the routes
     * changed over the API apply over them as before. Routes that did not change keep their
     * runtime, counters and health; check first with {@link #check}.
     */
    public synchronized void reconfigure(List<RouteConfig> configured, List<java.nio.file.Path> ownSockets) {
        this.configured = byName(configured);
        this.ownSockets = List.copyOf(ownSockets);
        apply();
    }

    private static Map<String, RouteConfig> byName(List<RouteConfig> routes) {
        Map<String, RouteConfig> byName = new LinkedHashMap<>();
        routes.forEach(route -> byName.put(route.name(), route));
        return Collections.unmodifiableMap(byName);
    }

    /**
     * Reads the state file and installs the routes; a state file that cannot be used fails the start,
     * and so does one that could never be written (its folder is missing), rather than every change.
     */
    public synchronized void load() {
        List<FieldError> configErrors = new ArrayList<>();
        List<RouteConfig> configuredRoutes = List.copyOf(configured.values());
        for (int i = 0; i < configuredRoutes.size(); i++) {
            RouteRules.checkNotOwnSocket(configuredRoutes.get(i), ownSockets, "routes[" + i + "]", configErrors);
        }
        if (!configErrors.isEmpty()) {
            throw new InvalidConfigException("the configuration", configErrors);
        }
        if (store.isPresent()) {
            store.get().checkFolder();
            Map<String, RouteDocument> saved;
            try {
                saved = store.get().load();
            } catch (IOException e) {
                throw new InvalidConfigException(
                        store.get().file().toString(),
                        List.of(new FieldError("(file)", "cannot read the route state file: " + e.getMessage())));
            }
            // Parsed and checked once, here: from now on a route is a RouteConfig, whatever its source.
            List<FieldError> errors = new ArrayList<>();
            Map<String, RouteConfig> loaded = new LinkedHashMap<>();
            saved.forEach((name, doc) -> {
                if (doc == null) {
                    loaded.put(name, null);
                    return;
                }
                RouteRules.check(doc, "routes." + name, errors).ifPresent(route -> {
                    RouteRules.checkNotOwnSocket(route, ownSockets, "routes." + name, errors);
                    loaded.put(name, route);
                });
            });
            if (!errors.isEmpty()) {
                throw new InvalidConfigException(store.get().file().toString(), errors);
            }
            changes = loaded;
        }
        apply();
    }

    public synchronized List<Versioned> list() {
        return List.copyOf(current.values());
    }

    public synchronized Optional<Versioned> get(String name) {
        return Optional.ofNullable(current.get(name));
    }

    /**
     * Creates or replaces a route.
     *
     * @param ifMatch the client's If-Match header, if it sent one
     * @return the route as now served, and whether it was created
     * @throws VersionMismatchException if {@code ifMatch} does not match the route now
     * @throws InvalidConfigException if the route leads back to one of udsgate's own sockets
     */
    public synchronized Change put(RouteConfig route, Optional<String> ifMatch) {
        Versioned before = current.get(route.name());
        checkPrecondition(route.name(), before, ifMatch);
        List<FieldError> errors = new ArrayList<>();
        RouteRules.checkNotOwnSocket(route, ownSockets, "", errors);
        if (!errors.isEmpty()) {
            throw new InvalidConfigException("the route", errors);
        }
        Map<String, RouteConfig> next = new LinkedHashMap<>(changes);
        next.put(route.name(), route);
        save(next);
        Versioned after = before != null
                        && before.route().equals(route)
                        && before.source().equals("api")
                ? before
                : new Versioned(route, etagOf(route), "api");
        current.put(route.name(), after);
        router.put(route);
        events.publish(new Occurrence.RouteChanged(route.name(), after.etag(), before == null));
        return new Change(after, before == null);
    }

    /**
     * Removes a route.
     *
     * @return false if there is no such route
     */
    public synchronized boolean delete(String name, Optional<String> ifMatch) {
        Versioned before = current.get(name);
        if (before == null) {
            return false;
        }
        checkPrecondition(name, before, ifMatch);
        Map<String, RouteConfig> next = new LinkedHashMap<>(changes);
        if (configured.containsKey(name)) {
            next.put(name, null);
        } else {
            next.remove(name);
        }
        save(next);
        current.remove(name);
        router.remove(name);
        events.publish(new Occurrence.RouteRemoved(name));
        return true;
    }

    /**
     * Saves the API's changes; the caller then serves them: nothing is served that is not saved,
     * and once saved, serving it cannot fail (a route is data; installing it starts nothing). A
     * change touches the one route it changes, so that its cost does not grow with the table.
     */
    private void save(Map<String, RouteConfig> next) {
        if (store.isPresent()) {
            Map<String, RouteDocument> documents = new LinkedHashMap<>();
            next.forEach((name, route) -> documents.put(name, route == null ? null : RouteDocument.of(route)));
            try {
                store.get().save(documents);
            } catch (IOException e) {
                throw new StateFileException("the change was not made: the route state file "
                        + store.get().file() + " cannot be written: "
                        + store.get().reason(e));
            }
        }
        changes = next;
    }

    private void apply() {
        Map<String, RouteConfig> effective = new LinkedHashMap<>(configured);
        changes.forEach((name, route) -> {
            if (route == null) {
                effective.remove(name);
            } else {
                effective.put(name, route);
            }
        });
        Map<String, Versioned> versions = new LinkedHashMap<>();
        effective.values().forEach(route -> {
            String source = changes.containsKey(route.name()) ? "api" : "config";
            Versioned before = current.get(route.name());
            // A route that did not change keeps its version: a change costs one hash, not one per route.
            versions.put(
                    route.name(),
                    before != null
                                    && before.route().equals(route)
                                    && before.source().equals(source)
                            ? before
                            : new Versioned(route, etagOf(route), source));
        });
        // In configuration order, then the API's additions in the order they came.
        current = versions;
        router.install(List.copyOf(effective.values()));
    }

    private static void checkPrecondition(String name, Versioned now, Optional<String> ifMatch) {
        if (ifMatch.isEmpty()) {
            return;
        }
        String header = ifMatch.get().strip();
        boolean matches = now != null
                && (header.equals("*")
                        || java.util.Arrays.stream(header.split(","))
                                .map(String::strip)
                                .anyMatch(now.etag()::equals));
        if (!matches) {
            throw new VersionMismatchException(
                    now == null
                            ? "route " + name + " does not exist, so If-Match " + header + " cannot match"
                            : "route " + name + " is now " + now.etag() + ", not " + header
                                    + ": read it again, then retry");
        }
    }

    /** A strong ETag: the hash of the route as the API shows it. */
    static String etagOf(RouteConfig route) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Json.bytes(RouteDocument.of(route)));
            return "\"" + HexFormat.of().formatHex(digest, 0, 8) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A route with its version.
     *
     * @param source {@code config} if it is the configuration file's, {@code api} if set over the API
     */
    public record Versioned(RouteConfig route, String etag, String source) {}

    /** What a put did. */
    public record Change(Versioned route, boolean created) {}
}
