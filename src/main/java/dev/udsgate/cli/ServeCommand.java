package dev.udsgate.cli;

import dev.udsgate.UdsGate;
import dev.udsgate.config.ConfigFile;
import dev.udsgate.config.ConfigFileLoader;
import dev.udsgate.config.ConnectionLimits;
import dev.udsgate.config.FileMode;
import dev.udsgate.config.GatewayConfig;
import dev.udsgate.config.HistoryLimits;
import dev.udsgate.config.ListenerConfig;
import dev.udsgate.system.FileDescriptors;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code udsgate serve}: listen on a Unix socket until SIGTERM or SIGINT, then stop gracefully. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        versionProvider = UdsgateCommand.Version.class,
        description = {
            "Serve the udsgate API on a Unix domain socket until SIGTERM or SIGINT.",
            "",
            "The socket file never exists with a mode wider than --mode. A stale socket left by a dead",
            "process is replaced; a live server's socket or any other file is never touched.",
        },
        footer = {
            "",
            "Exit status: 0 stopped gracefully, 1 failed to start or stopped forcibly, 2 bad arguments.",
        })
final class ServeCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Spec
    CommandSpec spec;

    // Options are null when not given, so that a --config file can supply them; then the default.

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "YAML (or JSON) file with any of these options (in lowerCamelCase) and the gateway's"
                    + " routes; options given here override it.")
    Path configFile;

    @Option(
            names = "--socket",
            paramLabel = "PATH",
            description = "Socket file to listen on (default: /run/udsgate.sock for root,"
                    + " $XDG_RUNTIME_DIR/udsgate.sock for other users).")
    Path socket;

    @Option(
            names = "--mode",
            paramLabel = "MODE",
            converter = Converters.Mode.class,
            description = "Permission bits of the socket file, octal (default: 0660).")
    FileMode mode;

    @Option(
            names = "--group",
            paramLabel = "NAME|GID",
            description = "Group of the socket file, so its members may connect (default: the process's group).")
    String group;

    @Option(
            names = "--backlog",
            paramLabel = "N",
            description = "listen() backlog: connections the kernel queues before udsgate accepts them"
                    + " (default: 512; capped by net.core.somaxconn).")
    Integer backlog;

    @Option(
            names = "--shutdown-timeout",
            paramLabel = "DURATION",
            converter = Converters.Timeout.class,
            description = "On SIGTERM/SIGINT, how long requests in flight may take to finish: 10s, 500ms, 1m"
                    + " (default: 10s).")
    Duration shutdownTimeout;

    @Option(
            names = "--idle-timeout",
            paramLabel = "DURATION",
            converter = Converters.Timeout.class,
            description = "Close a connection that moves no bytes for this long: 30s, 2m (default: 30s).")
    Duration idleTimeout;

    @Option(
            names = "--header-timeout",
            paramLabel = "DURATION",
            converter = Converters.Timeout.class,
            description = "How long a request's head (request line and headers) may take to arrive, whole:"
                    + " from accept for a connection's first request, from its first byte for later ones;"
                    + " a client too slow gets 408 and is closed (default: 10s).")
    Duration headerTimeout;

    @Option(
            names = "--max-connections",
            paramLabel = "N",
            description = "Open connections the listener holds at once; one more is closed as soon as it is"
                    + " accepted (default: the file descriptor limit, ulimit -n, less a reserve).")
    Integer maxConnections;

    @Option(
            names = "--max-connections-per-user",
            paramLabel = "N",
            description = "Open connections one peer user (uid) holds on the listener; one more is closed as"
                    + " soon as it is accepted. Root and the server's own user are exempt (default: 1024).")
    Integer maxConnectionsPerUser;

    @Option(
            names = "--connection-history",
            paramLabel = "N",
            description = "Closed connections kept for GET /v1/connections?state=closed (default: 256).")
    Integer connectionHistory;

    @Option(
            names = "--event-history",
            paramLabel = "N",
            description = "Events kept in memory for replay with GET /v1/events?since= (default: 1024).")
    Integer eventHistory;

    @Option(
            names = "--event-queue",
            paramLabel = "N",
            description = "Events queued for a slow subscriber before it is sent events.dropped (default: 1024).")
    Integer eventQueue;

    @Option(
            names = "--state-file",
            paramLabel = "PATH",
            description = "Where routes changed over the API are kept, so a restart keeps them"
                    + " (default: none: they last until the process ends).")
    Path stateFile;

    @Override
    public Integer call() {
        GatewayConfig config = config();
        ShutdownSignals signals = ShutdownSignals.install();
        UdsGate gate = new UdsGate(config);
        Runtime.getRuntime().addShutdownHook(new Thread(gate::stop, "udsgate-shutdown-hook"));
        gate.start();
        System.out.println("listening on unix:" + config.listeners().get(0).socketPath());
        String signal = signals.awaitFirst();
        LOG.info(
                "{} received: stopping; requests in flight have {} to finish",
                signal,
                Converters.Timeout.format(config.shutdownTimeout()));
        UdsGate.StopResult result = gate.stop();
        result.problems().forEach(problem -> LOG.debug("while stopping", problem));
        if (result.graceful()) {
            LOG.info("stopped gracefully in {} ms", result.took().toMillis());
            return Main.EXIT_OK;
        }
        LOG.warn(
                "stopped forcibly after {}: requests still in flight were cut off",
                Converters.Timeout.format(config.shutdownTimeout()));
        return Main.EXIT_FAILURE;
    }

    /** The command line over the config file over the defaults. */
    private GatewayConfig config() {
        if (backlog != null && (backlog < 1 || backlog > ListenerConfig.MAX_BACKLOG)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--backlog must be between 1 and " + ListenerConfig.MAX_BACKLOG + ", got " + backlog);
        }
        if (headerTimeout != null && headerTimeout.toMillis() < 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--header-timeout must be at least 1ms, got " + Converters.Timeout.format(headerTimeout));
        }
        checkCount("--max-connections", maxConnections, ConnectionLimits.MAX);
        checkCount("--max-connections-per-user", maxConnectionsPerUser, ConnectionLimits.MAX);
        ConfigFile file = configFile == null ? ConfigFile.empty() : ConfigFileLoader.load(configFile);
        Path socketPath = first(socket, file.socket(), DefaultSocketPath.forCurrentUser())
                .orElseThrow(() -> new CommandLine.ParameterException(
                        spec.commandLine(), "no default socket path: XDG_RUNTIME_DIR is not set; give --socket PATH"));
        int listenBacklog = first(backlog, file.backlog(), Optional.of(ListenerConfig.DEFAULT_BACKLOG))
                .get();
        HistoryLimits defaults = HistoryLimits.DEFAULTS;
        ConnectionLimits limits = connectionLimits(file);
        try {
            ListenerConfig listener = new ListenerConfig(
                    "main",
                    socketPath,
                    first(mode, file.mode(), Optional.of(FileMode.DEFAULT_SOCKET_MODE))
                            .get(),
                    first(group, file.group(), Optional.empty()),
                    listenBacklog,
                    limits);
            return new GatewayConfig(
                    List.of(listener),
                    first(shutdownTimeout, file.shutdownTimeout(), Optional.of(GatewayConfig.DEFAULT_SHUTDOWN_TIMEOUT))
                            .get(),
                    first(idleTimeout, file.idleTimeout(), Optional.of(GatewayConfig.DEFAULT_IDLE_TIMEOUT))
                            .get(),
                    first(headerTimeout, file.headerTimeout(), Optional.of(GatewayConfig.DEFAULT_HEADER_TIMEOUT))
                            .get(),
                    new HistoryLimits(
                            first(
                                            connectionHistory,
                                            file.connectionHistory(),
                                            Optional.of(defaults.closedConnections()))
                                    .get(),
                            first(eventHistory, file.eventHistory(), Optional.of(defaults.events()))
                                    .get(),
                            first(eventQueue, file.eventQueue(), Optional.of(defaults.subscriberQueue()))
                                    .get()),
                    file.routes(),
                    first(stateFile == null ? null : stateFile.toAbsolutePath(), file.stateFile(), Optional.empty()));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /**
     * The connection limits, checked against the file descriptor limit: a listener allowed more
     * connections than the process may open files would meet EMFILE instead of its own limit.
     */
    private ConnectionLimits connectionLimits(ConfigFile file) {
        ConnectionLimits defaults = ConnectionLimits.defaults();
        int budget = FileDescriptors.connectionBudget();
        int max = first(maxConnections, file.maxConnections(), Optional.of(defaults.maxConnections()))
                .get();
        if (max > budget) {
            String source = maxConnections != null ? "--max-connections" : "maxConnections in " + configFile;
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    String.format(
                            "%s is %d, more than the %d connections this process has file descriptors for"
                                    + " (ulimit -n %d, less %d kept for the server itself); raise ulimit -n or"
                                    + " lower %s",
                            source, max, budget, FileDescriptors.limit(), FileDescriptors.limit() - budget, source));
        }
        int perUser = first(
                        maxConnectionsPerUser,
                        file.maxConnectionsPerUser(),
                        Optional.of(defaults.maxConnectionsPerUser()))
                .get();
        return new ConnectionLimits(max, perUser);
    }

    private void checkCount(String flag, Integer value, int max) {
        if (value != null && (value < 1 || value > max)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), flag + " must be between 1 and " + max + ", got " + value);
        }
    }

    /** The flag if given, else the file's value, else the fallback. */
    private static <T> Optional<T> first(T flag, Optional<T> fromFile, Optional<T> fallback) {
        return flag != null ? Optional.of(flag) : fromFile.isPresent() ? fromFile : fallback;
    }
}
