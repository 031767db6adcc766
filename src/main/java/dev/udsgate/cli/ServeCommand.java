package dev.udsgate.cli;

import dev.udsgate.UdsGate;
import dev.udsgate.config.AccessLogFormat;
import dev.udsgate.config.ConfigFile;
import dev.udsgate.config.ConfigFileLoader;
import dev.udsgate.config.ConnectionLimits;
import dev.udsgate.config.FieldError;
import dev.udsgate.config.FileMode;
import dev.udsgate.config.GatewayConfig;
import dev.udsgate.config.HistoryLimits;
import dev.udsgate.config.InvalidConfigException;
import dev.udsgate.config.ListenerConfig;
import dev.udsgate.config.ListenerDocument;
import dev.udsgate.config.LogFormat;
import dev.udsgate.log.LogSetup;
import dev.udsgate.reload.ConfigSource;
import dev.udsgate.reload.NothingToReloadException;
import dev.udsgate.reload.ReloadRefusedException;
import dev.udsgate.socket.SocketActivation;
import dev.udsgate.system.FileDescriptors;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalNotFoundException;
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

/**
 * {@code udsgate serve}: listen on a Unix socket until SIGTERM or SIGINT, then stop gracefully; on
 * SIGHUP, read the {@code --config} file again (under the same flags) and apply what changed.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        // The terminal's width when there is one; 80 columns when printed to a pipe or a file.
        usageHelpAutoWidth = true,
        versionProvider = UdsgateCommand.Version.class,
        // One element per paragraph: picocli wraps each at a word boundary to the terminal's width.
        description = {
            "Serve the udsgate API on a Unix domain socket until SIGTERM or SIGINT.",
            "",
            "SIGHUP (or POST /v1/reload) reads the --config file again, with the same options, and applies"
                    + " what changed: routes, and listeners added, removed or changed; a file that is not valid"
                    + " is refused whole and the running configuration stays.",
            "",
            "The socket file never exists with a mode wider than --mode. A stale socket left by a dead"
                    + " process is replaced; a live server's socket or any other file is never touched.",
        },
        footer = {
            "",
            "Exit status: 0 stopped gracefully, 1 failed to start or stopped forcibly, 2 bad arguments"
                    + " or configuration.",
        })
final class ServeCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Spec
    CommandSpec spec;

    // Options are null when not given, so that a --config file can supply them; then the default.

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "YAML file (or JSON, if its name ends in .json) with any of these options (in"
                    + " lowerCamelCase) and the gateway's routes; options given here override it (default:"
                    + " none).")
    Path configFile;

    @Option(
            names = "--socket",
            paramLabel = "PATH",
            description = "Socket file to listen on (default: for root /run/udsgate.sock, for other users"
                    + " $XDG_RUNTIME_DIR/udsgate.sock).")
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
            names = "--fast-path",
            negatable = true,
            paramLabel = "BOOLEAN",
            description = "Bodiless gateway requests take the fast path, on pooled upstream connections of its"
                    + " own; --no-fast-path sends every request through Jetty's proxy (default: on).")
    Boolean fastPath;

    @Option(
            names = "--watch-config",
            negatable = true,
            paramLabel = "BOOLEAN",
            description = "Reload, as SIGHUP does, when the --config file's content changes: its folder is"
                    + " watched, so a Kubernetes ConfigMap's atomic swap is seen too (default: off).")
    Boolean watchConfig;

    @Option(
            names = "--access-log",
            paramLabel = "FORMAT",
            description = "One line per request on standard output (the log is on standard error): time,"
                    + " listener, connection, peer uid, method, path, route, status, bytes, duration and request"
                    + " id, as text or json (default: none).")
    String accessLog;

    @Option(
            names = "--log-format",
            paramLabel = "FORMAT",
            description = "How the log on standard error is written: text, one line per event, or json, one"
                    + " object per line (default: text).")
    String logFormat;

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
            description = "Closed connections kept, to be listed with state=closed (default: 256).")
    Integer connectionHistory;

    @Option(
            names = "--event-history",
            paramLabel = "N",
            description = "Events kept in memory, to be replayed with since= (default: 1024).")
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
        // Before anything else logs: nothing has until now, and the file may name the format.
        LogSetup.use(config.logFormat());
        ShutdownSignals signals = ShutdownSignals.install();
        // systemd socket activation: sockets passed in are served instead of bound (README).
        UdsGate gate = new UdsGate(config, SocketActivation.fromEnvironment(), source());
        Runtime.getRuntime().addShutdownHook(new Thread(gate::stop, "udsgate-shutdown-hook"));
        gate.start();
        signals.onHangUp(() -> reloadOnSignal(gate));
        gate.listeners().forEach(listener -> System.out.println("listening on unix:" + listener.path()));
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

    /**
     * What a reload reads: the file again, under the same flags, built as at start. A flag's check
     * that the file now fails (a group that does not exist) is one of the file's errors.
     */
    private Optional<ConfigSource> source() {
        if (configFile == null) {
            return Optional.empty();
        }
        return Optional.of(new ConfigSource(
                configFile.toString(),
                () -> {
                    try {
                        return config();
                    } catch (CommandLine.ParameterException e) {
                        throw new InvalidConfigException(
                                configFile.toString(), List.of(new FieldError(ConfigFileLoader.FILE, e.getMessage())));
                    }
                },
                Optional.of(configFile)));
    }

    /** The gate logs what the reload did, or why it refused the file; only the rest is said here. */
    private void reloadOnSignal(UdsGate gate) {
        if (configFile != null) {
            LOG.info("SIGHUP received: reading {} again", configFile);
        }
        try {
            gate.reload(Optional.empty());
        } catch (NothingToReloadException e) {
            LOG.warn("SIGHUP received: {}", e.getMessage());
        } catch (ReloadRefusedException e) {
            // Logged, once, by the gate.
        } catch (RuntimeException e) {
            LOG.warn("SIGHUP received: the reload failed: {}", e.toString(), e);
        }
    }

    /** The command line over the config file over the defaults; {@code check-config} reads it too. */
    GatewayConfig config() {
        // Each flag is checked here, so that its message names it; the file's keys are checked by its loader.
        requireBetween("--backlog", backlog, ListenerConfig.MAX_BACKLOG);
        requireBetween("--connection-history", connectionHistory, HistoryLimits.MAX);
        requireBetween("--event-history", eventHistory, HistoryLimits.MAX);
        requireBetween("--event-queue", eventQueue, HistoryLimits.MAX);
        if (idleTimeout != null && idleTimeout.toMillis() < 1) {
            throw usage("--idle-timeout must be at least 1ms, got " + Converters.Timeout.format(idleTimeout));
        }
        if (headerTimeout != null && headerTimeout.toMillis() < 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--header-timeout must be at least 1ms, got " + Converters.Timeout.format(headerTimeout));
        }
        requireBetween("--max-connections", maxConnections, ConnectionLimits.MAX);
        requireBetween("--max-connections-per-user", maxConnectionsPerUser, ConnectionLimits.MAX);
        if (Boolean.TRUE.equals(watchConfig) && configFile == null) {
            throw usage("--watch-config watches the --config file: give --config FILE too");
        }
        ConfigFile file = configFile == null ? ConfigFile.empty() : ConfigFileLoader.load(configFile);
        if (group != null) {
            requireGroup(group, "--group");
        } else {
            file.group().ifPresent(name -> requireGroup(name, "group in " + configFile));
        }
        ConnectionLimits limits = connectionLimits(file);
        List<ListenerConfig> listeners =
                file.listeners().isEmpty() ? List.of(mainListener(file, limits)) : fileListeners(file, limits);
        HistoryLimits defaults = HistoryLimits.DEFAULTS;
        try {
            return new GatewayConfig(
                    listeners,
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
                    first(stateFile == null ? null : stateFile.toAbsolutePath(), file.stateFile(), Optional.empty()),
                    first(fastPath, file.fastPath(), Optional.of(true)).get(),
                    accessLog == null ? file.accessLog() : Optional.of(accessLogFormat(accessLog)),
                    first(
                                    logFormat == null ? null : logFormat(logFormat),
                                    file.logFormat(),
                                    Optional.of(LogFormat.DEFAULT))
                            .get(),
                    first(watchConfig, file.watchConfig(), Optional.of(false)).get());
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    /** The one listener of {@code --socket}, or of the file's top-level {@code socket} and its neighbours. */
    private ListenerConfig mainListener(ConfigFile file, ConnectionLimits limits) {
        Path socketPath = first(socket, file.socket(), DefaultSocketPath.forCurrentUser())
                .orElseThrow(() -> new CommandLine.ParameterException(
                        spec.commandLine(), "no default socket path: XDG_RUNTIME_DIR is not set; give --socket PATH"));
        try {
            return new ListenerConfig(
                    ListenerConfig.MAIN,
                    socketPath,
                    first(mode, file.mode(), Optional.of(FileMode.DEFAULT_SOCKET_MODE))
                            .get(),
                    first(group, file.group(), Optional.empty()),
                    first(backlog, file.backlog(), Optional.of(ListenerConfig.DEFAULT_BACKLOG))
                            .get(),
                    limits);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    /** The file's {@code listeners:}, each with the defaults for what it leaves out. */
    private List<ListenerConfig> fileListeners(ConfigFile file, ConnectionLimits limits) {
        if (socket != null || mode != null || group != null || backlog != null) {
            throw usage("--socket, --mode, --group and --backlog describe the one listener main, and " + configFile
                    + " describes its listeners itself: give them there");
        }
        for (ListenerDocument listener : file.listeners()) {
            listener.group().ifPresent(name -> requireGroup(name, "listener " + listener.name() + "'s group"));
            listener.owner().ifPresent(name -> requireUser(name, "listener " + listener.name() + "'s owner"));
        }
        try {
            return file.listeners().stream()
                    .map(listener -> new ListenerConfig(
                            listener.name(),
                            listener.path(),
                            listener.mode().orElse(FileMode.DEFAULT_SOCKET_MODE),
                            listener.group(),
                            listener.backlog().orElse(ListenerConfig.DEFAULT_BACKLOG),
                            limits,
                            listener.owner(),
                            listener.exposure(),
                            listener.access()))
                    .toList();
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    /** A user that does not exist is a bad argument (exit 2), found before anything is bound. */
    private void requireUser(String name, String where) {
        try {
            FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(name);
        } catch (UserPrincipalNotFoundException e) {
            throw usage(where + ": no user named " + name + "; give an existing user name or a numeric uid");
        } catch (IOException e) {
            throw usage(where + ": cannot look user " + name + " up: " + e.getMessage());
        }
    }

    private AccessLogFormat accessLogFormat(String text) {
        return AccessLogFormat.parse(text)
                .orElseThrow(() -> usage("--access-log must be " + AccessLogFormat.CHOICES + ", got " + text));
    }

    private LogFormat logFormat(String text) {
        return LogFormat.parse(text)
                .orElseThrow(() -> usage("--log-format must be " + LogFormat.CHOICES + ", got " + text));
    }

    private void requireBetween(String flag, Integer value, int max) {
        if (value != null && (value < 1 || value > max)) {
            throw usage(flag + " must be between 1 and " + max + ", got " + value);
        }
    }

    /** A group that does not exist is a bad argument (exit 2), found before anything is bound. */
    private void requireGroup(String name, String where) {
        try {
            FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(name);
        } catch (UserPrincipalNotFoundException e) {
            throw usage(where + ": no group named " + name + "; give an existing group name or a numeric gid");
        } catch (IOException e) {
            throw usage(where + ": cannot look group " + name + " up: " + e.getMessage());
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
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
            throw usage(String.format(
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

    /** The flag if given, else the file's value, else the fallback. */
    private static <T> Optional<T> first(T flag, Optional<T> fromFile, Optional<T> fallback) {
        return flag != null ? Optional.of(flag) : fromFile.isPresent() ? fromFile : fallback;
    }
}
