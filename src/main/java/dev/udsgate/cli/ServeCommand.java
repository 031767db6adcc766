package dev.udsgate.cli;

import dev.udsgate.UdsGate;
import dev.udsgate.config.ConfigFile;
import dev.udsgate.config.ConfigFileLoader;
import dev.udsgate.config.FileMode;
import dev.udsgate.config.GatewayConfig;
import dev.udsgate.config.HistoryLimits;
import dev.udsgate.config.ListenerConfig;
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

/** {@code udsgate serve}: listen on a Unix socket until SIGTERM or SIGINT, then stop gracefully. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        versionProvider = UdsgateCommand.Version.class,
        // One element per paragraph: picocli wraps each at a word boundary to the terminal's width.
        description = {
            "Serve the udsgate API on a Unix domain socket until SIGTERM or SIGINT.",
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
                    + " lowerCamelCase) and the gateway's routes; options given here override it.")
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
        ConfigFile file = configFile == null ? ConfigFile.empty() : ConfigFileLoader.load(configFile);
        if (group != null) {
            requireGroup(group, "--group");
        } else {
            file.group().ifPresent(name -> requireGroup(name, "group in " + configFile));
        }
        Path socketPath = first(socket, file.socket(), DefaultSocketPath.forCurrentUser())
                .orElseThrow(() -> new CommandLine.ParameterException(
                        spec.commandLine(), "no default socket path: XDG_RUNTIME_DIR is not set; give --socket PATH"));
        int listenBacklog = first(backlog, file.backlog(), Optional.of(ListenerConfig.DEFAULT_BACKLOG))
                .get();
        HistoryLimits defaults = HistoryLimits.DEFAULTS;
        try {
            ListenerConfig listener = new ListenerConfig(
                    "main",
                    socketPath,
                    first(mode, file.mode(), Optional.of(FileMode.DEFAULT_SOCKET_MODE))
                            .get(),
                    first(group, file.group(), Optional.empty()),
                    listenBacklog);
            return new GatewayConfig(
                    List.of(listener),
                    first(shutdownTimeout, file.shutdownTimeout(), Optional.of(GatewayConfig.DEFAULT_SHUTDOWN_TIMEOUT))
                            .get(),
                    first(idleTimeout, file.idleTimeout(), Optional.of(GatewayConfig.DEFAULT_IDLE_TIMEOUT))
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
            throw usage(e.getMessage());
        }
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

    /** The flag if given, else the file's value, else the fallback. */
    private static <T> Optional<T> first(T flag, Optional<T> fromFile, Optional<T> fallback) {
        return flag != null ? Optional.of(flag) : fromFile.isPresent() ? fromFile : fallback;
    }
}
