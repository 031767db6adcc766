package dev.udsgate.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One gateway route: which requests it takes, and where it sends them.
 *
 * @param name unique; lower-case letters, digits and dashes
 * @param host exact host ({@code billing}) or a suffix wildcard ({@code *.internal}); empty: any host
 * @param pathPrefix requests whose path starts with it, on a segment boundary; "/" takes every path
 * @param stripPrefix remove {@code pathPrefix} from the path sent upstream
 * @param upstreams one or more; requests go round robin among the healthy ones
 * @param connectTimeout for a new upstream connection
 * @param responseTimeout from the request sent to the whole response received; zero: none
 * @param healthCheck active checks; empty: every upstream is taken as healthy until a request fails to connect
 * @param identityHeaders which of the caller's identity headers the upstream gets
 */
public record RouteConfig(
        String name,
        Optional<String> host,
        String pathPrefix,
        boolean stripPrefix,
        List<UpstreamAddress> upstreams,
        Duration connectTimeout,
        Duration responseTimeout,
        Optional<HealthCheckConfig> healthCheck,
        IdentityForwarding identityHeaders) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(60);

    public RouteConfig {
        upstreams = List.copyOf(upstreams);
        java.util.Objects.requireNonNull(identityHeaders, "identityHeaders");
    }
}
