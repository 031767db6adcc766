package dev.udsgate.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a running udsgate needs to know, fixed at start.
 *
 * @param listeners the Unix-socket listeners, each with a unique name and path
 * @param shutdownTimeout how long a graceful stop waits for requests in flight
 * @param idleTimeout how long a connection may move no bytes before it is closed
 * @param headerTimeout how long a request's head (request line and headers) may take to arrive, whole:
 *     from accept for a connection's first request, from its first byte for a later one
 * @param history how much of the past is kept in memory
 * @param routes the gateway's routes from the configuration
 * @param stateFile where routes changed over the API are kept; empty: they last until the process ends
 * @param fastPath whether bodiless requests take the gateway's fast path; off, every request takes
 *     Jetty's proxy (to measure what the fast path buys, or to rule it out)
 * @param accessLog one line per request on standard output, in this format; empty: none
 * @param logFormat how the log on standard error is written; chosen as the process starts, so a
 *     reload can only report a change
 * @param watchConfig whether a change of the configuration file's content reloads it, as SIGHUP does
 */
public record GatewayConfig(
        List<ListenerConfig> listeners,
        Duration shutdownTimeout,
        Duration idleTimeout,
        Duration headerTimeout,
        HistoryLimits history,
        List<RouteConfig> routes,
        Optional<Path> stateFile,
        boolean fastPath,
        Optional<AccessLogFormat> accessLog,
        LogFormat logFormat,
        boolean watchConfig) {

    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    /**
     * HAProxy's usual {@code timeout http-request}; nginx's {@code client_header_timeout} is 60 s. A
     * local client sends its head at once: ten seconds is generous, and short enough that a client
     * trickling bytes cannot hold a connection for long.
     */
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);

    public GatewayConfig {
        listeners = List.copyOf(listeners);
        routes = List.copyOf(routes);
        Objects.requireNonNull(stateFile, "stateFile");
        if (listeners.isEmpty()) {
            throw new IllegalArgumentException("at least one listener is needed");
        }
        if (listeners.stream().map(ListenerConfig::name).distinct().count() != listeners.size()) {
            throw new IllegalArgumentException("listener names must be unique");
        }
        if (listeners.stream().map(ListenerConfig::socketPath).distinct().count() != listeners.size()) {
            throw new IllegalArgumentException("two listeners cannot share a socket path");
        }
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(accessLog, "accessLog");
        Objects.requireNonNull(logFormat, "logFormat");
        if (shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException("shutdown timeout cannot be negative");
        }
        if (idleTimeout.toMillis() < 1) {
            throw new IllegalArgumentException(
                    "idle timeout must be at least 1ms, got " + idleTimeout.toMillis() + "ms");
        }
        if (headerTimeout.toMillis() < 1) {
            throw new IllegalArgumentException(
                    "header timeout must be at least 1ms, got " + headerTimeout.toMillis() + "ms");
        }
    }
}
