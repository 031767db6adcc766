package dev.udsgate.testing;

import dev.udsgate.config.ConnectionLimits;
import dev.udsgate.config.Exposure;
import dev.udsgate.config.FieldError;
import dev.udsgate.config.FileMode;
import dev.udsgate.config.ListenerConfig;
import dev.udsgate.config.RouteConfig;
import dev.udsgate.config.RouteDocument;
import dev.udsgate.config.RouteRules;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Configuration as tests need it, made by the same rules as a file's: routes and listeners. */
public final class ConfigFixtures {

    private ConfigFixtures() {}

    /**
     * A route as a config file would write it, checked by {@link RouteRules}.
     *
     * @param host null for any host
     * @param prefix null for every path
     * @param responseTimeout null for the default
     */
    public static RouteConfig route(
            String name, String host, String prefix, String responseTimeout, String... upstreams) {
        List<FieldError> errors = new ArrayList<>();
        return RouteRules.check(
                        new RouteDocument(name, host, prefix, null, List.of(upstreams), null, responseTimeout, null),
                        "",
                        errors)
                .orElseThrow(() -> new AssertionError(errors));
    }

    /** A route to one Unix upstream, with the default timeouts. */
    public static RouteConfig route(String name, String host, String prefix, Path upstream) {
        return route(name, host, prefix, null, "unix:" + upstream);
    }

    /** A listener with the default backlog and limits, owned by the test's user, offering {@code exposure}. */
    public static ListenerConfig listener(String name, Path path, String mode, Exposure exposure) {
        return new ListenerConfig(
                name,
                path,
                FileMode.parse(mode),
                Optional.empty(),
                ListenerConfig.DEFAULT_BACKLOG,
                ConnectionLimits.defaults(),
                Optional.empty(),
                exposure);
    }
}
