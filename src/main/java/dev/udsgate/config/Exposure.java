package dev.udsgate.config;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What one listener offers: how much of the API, and which routes. A socket shared into containers
 * can offer less than the admin socket (what Docker's users asked for in moby/moby#38879).
 *
 * @param api how much of the API answers on this listener
 * @param routes the names of the routes it offers; empty: all of them. A route it does not offer is,
 *     on this listener, as if it did not exist
 */
public record Exposure(Api api, Optional<Set<String>> routes) {

    /** What a listener offers unless told otherwise: everything. */
    public static final Exposure EVERYTHING = new Exposure(Api.FULL, Optional.empty());

    public Exposure {
        Objects.requireNonNull(api, "api");
        routes = routes.map(Set::copyOf);
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
