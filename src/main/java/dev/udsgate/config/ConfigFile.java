package dev.udsgate.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a configuration file says, and nothing more: a key the file leaves out is empty here, so the
 * command line can tell "not said" from "said", override what it is given, and default the rest.
 * Each key is named after its flag in lowerCamelCase ({@code --shutdown-timeout}: {@code shutdownTimeout}).
 * Values are already checked by {@link ConfigFileLoader}.
 *
 * @param stateFile where routes changed over the API are kept across restarts
 * @param listeners the listeners, when the file describes them in {@code listeners:}; empty: the one
 *     listener {@code main} of the top-level {@code socket}, {@code mode}, {@code group} and {@code backlog}
 * @param routes the gateway routes; empty if the file has none
 */
public record ConfigFile(
        Optional<Path> socket,
        Optional<FileMode> mode,
        Optional<String> group,
        Optional<Integer> backlog,
        Optional<Duration> shutdownTimeout,
        Optional<Duration> idleTimeout,
        Optional<Duration> headerTimeout,
        Optional<Integer> maxConnections,
        Optional<Integer> maxConnectionsPerUser,
        Optional<Integer> connectionHistory,
        Optional<Integer> eventHistory,
        Optional<Integer> eventQueue,
        Optional<Path> stateFile,
        Optional<Boolean> fastPath,
        Optional<AccessLogFormat> accessLog,
        Optional<LogFormat> logFormat,
        Optional<Boolean> watchConfig,
        List<ListenerDocument> listeners,
        List<RouteConfig> routes) {

    public ConfigFile {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(backlog, "backlog");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        Objects.requireNonNull(maxConnections, "maxConnections");
        Objects.requireNonNull(maxConnectionsPerUser, "maxConnectionsPerUser");
        Objects.requireNonNull(connectionHistory, "connectionHistory");
        Objects.requireNonNull(eventHistory, "eventHistory");
        Objects.requireNonNull(eventQueue, "eventQueue");
        Objects.requireNonNull(stateFile, "stateFile");
        Objects.requireNonNull(fastPath, "fastPath");
        Objects.requireNonNull(accessLog, "accessLog");
        Objects.requireNonNull(logFormat, "logFormat");
        Objects.requireNonNull(watchConfig, "watchConfig");
        listeners = List.copyOf(listeners);
        routes = List.copyOf(routes);
    }

    /** A file that says nothing: every setting comes from the command line or its default. */
    public static ConfigFile empty() {
        return new ConfigFile(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                List.of());
    }
}
