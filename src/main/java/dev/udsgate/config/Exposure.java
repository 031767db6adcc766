package dev.udsgate.config;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What one listener offers: how much of the API, which routes, and whether it serves the metrics. A
 * socket shared into containers can offer less than the admin socket (what Docker's users asked for
 * in moby/moby#38879).
 *
 * @param api how much of the API answers on this listener
 * @param routes the names of the routes it offers; empty: all of them. A route it does not offer is,
 *     on this listener, as if it did not exist
 * @param metrics whether {@code GET /metrics} answers here; elsewhere it is a 404. Part of the API, so
 *     only a listener that offers some of it can serve them
 */
public record Exposure(Api api, Optional<Set<String>> routes, boolean metrics) {

    /** What a listener offers unless told otherwise: everything. */
    public static final Exposure EVERYTHING = new Exposure(Api.FULL, Optional.empty());

    public static final String METRICS_NEED_API =
            "can only be true on a listener that offers the API (api: full or read-only): with api: none, every"
                    + " path, /metrics too, goes to the routes";

    public Exposure {
        Objects.requireNonNull(api, "api");
        routes = routes.map(Set::copyOf);
        if (metrics && api == Api.NONE) {
            throw new IllegalArgumentException("metrics " + METRICS_NEED_API);
        }
    }

    /**
     * With the metrics where an operator looks for them first, as Envoy serves its stats on its admin
     * listener: on a listener that offers the whole API, and not on one offered read-only to others
     * (a socket mounted into containers), unless it says so.
     */
    public Exposure(Api api, Optional<Set<String>> routes) {
        this(api, routes, metricsByDefault(api));
    }

    public static boolean metricsByDefault(Api api) {
        return api == Api.FULL;
    }

    public boolean offersRoute(String name) {
        return routes.isEmpty() || routes.get().contains(name);
    }

    /** How much of the API a listener offers. */
    public enum Api {
        /** Everything. */
        FULL,
        /** {@code GET} and {@code HEAD} only: a write is refused with 403. */
        READ_ONLY,
        /** None: every path, {@code /_ping} and {@code /v1/...} included, goes to the listener's routes. */
        NONE;

        public static final String CHOICES = "full, read-only or none";

        /** As written in the configuration and shown by the API. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Optional<Api> parse(String text) {
            for (Api api : values()) {
                if (api.label().equals(text)) {
                    return Optional.of(api);
                }
            }
            return Optional.empty();
        }
    }
}
