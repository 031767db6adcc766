package dev.udsgate.config;

import java.util.List;

/**
 * A route as written in the configuration file and in API bodies, before it is checked. Every field
 * may be missing; {@link RouteRules} says which must not be. Durations are text ({@code 5s}).
 */
public record RouteDocument(
        String name,
        String host,
        String pathPrefix,
        Boolean stripPrefix,
        List<String> upstreams,
        String connectTimeout,
        String responseTimeout,
        HealthCheckDocument healthCheck,
        String identityHeaders) {

    /** Without {@code identityHeaders}: the default. */
    public RouteDocument(
            String name,
            String host,
            String pathPrefix,
            Boolean stripPrefix,
            List<String> upstreams,
            String connectTimeout,
            String responseTimeout,
            HealthCheckDocument healthCheck) {
        this(name, host, pathPrefix, stripPrefix, upstreams, connectTimeout, responseTimeout, healthCheck, null);
    }

    /** An active health check as written. */
    public record HealthCheckDocument(
            String path, String interval, String timeout, Integer healthyThreshold, Integer unhealthyThreshold) {}

    /** The document that describes {@code route}, as the API shows it. */
    public static RouteDocument of(RouteConfig route) {
        return new RouteDocument(
                route.name(),
                route.host().orElse(null),
                route.pathPrefix(),
                route.stripPrefix(),
                route.upstreams().stream().map(UpstreamAddress::text).toList(),
                DurationText.format(route.connectTimeout()),
                DurationText.format(route.responseTimeout()),
                route.healthCheck()
                        .map(check -> new HealthCheckDocument(
                                check.path(),
                                DurationText.format(check.interval()),
                                DurationText.format(check.timeout()),
                                check.healthyThreshold(),
                                check.unhealthyThreshold()))
                        .orElse(null),
                route.identityHeaders().label());
    }
}
