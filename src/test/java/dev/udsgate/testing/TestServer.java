package dev.udsgate.testing;

import dev.udsgate.UdsGate;
import dev.udsgate.config.ConnectionLimits;
import dev.udsgate.config.FileMode;
import dev.udsgate.config.GatewayConfig;
import dev.udsgate.config.HistoryLimits;
import dev.udsgate.config.ListenerConfig;
import dev.udsgate.config.RouteConfig;
import dev.udsgate.reload.ConfigSource;
import io.restassured.specification.RequestSpecification;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** A real udsgate in this JVM, on a socket in a test's own folder. */
public final class TestServer implements AutoCloseable {

    private final UdsGate gate;
    private final Path socket;

    private TestServer(UdsGate gate, Path socket) {
        this.gate = gate;
        this.socket = socket;
    }

    public static TestServer start(Path socket) {
        return on(socket).start();
    }

    public static TestServer start(Path socket, FileMode mode, Optional<String> group) {
        return on(socket).mode(mode).group(group).start();
    }

    public static Builder on(Path socket) {
        return new Builder(socket);
    }

    public Path socket() {
        return socket;
    }

    public UdsGate gate() {
        return gate;
    }

    /** A request on a new connection, its answer checked against the contract. */
    public RequestSpecification api() {
        return Api.over(socket);
    }

    @Override
    public void close() {
        gate.stop();
    }

    /** What to start; defaults as {@code udsgate serve} has them, but a 5 s shutdown timeout. */
    public static final class Builder {
        private final Path socket;
        private FileMode mode = FileMode.DEFAULT_SOCKET_MODE;
        private Optional<String> group = Optional.empty();
        private HistoryLimits history = HistoryLimits.DEFAULTS;
        private Duration idleTimeout = GatewayConfig.DEFAULT_IDLE_TIMEOUT;
        private Duration headerTimeout = GatewayConfig.DEFAULT_HEADER_TIMEOUT;
        private ConnectionLimits limits = ConnectionLimits.defaults();
        private List<RouteConfig> routes = List.of();
        private Optional<Path> stateFile = Optional.empty();
        private boolean fastPath = true;
        private Optional<dev.udsgate.config.AccessLogFormat> accessLog = Optional.empty();
        private final List<ListenerConfig> moreListeners = new java.util.ArrayList<>();
        private Optional<ConfigSource> source = Optional.empty();

        private Builder(Path socket) {
            this.socket = socket;
        }

        public Builder mode(FileMode mode) {
            this.mode = mode;
            return this;
        }

        public Builder group(Optional<String> group) {
            this.group = group;
            return this;
        }

        public Builder history(HistoryLimits history) {
            this.history = history;
            return this;
        }

        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        public Builder headerTimeout(Duration headerTimeout) {
            this.headerTimeout = headerTimeout;
            return this;
        }

        public Builder limits(ConnectionLimits limits) {
            this.limits = limits;
            return this;
        }

        public Builder routes(List<RouteConfig> routes) {
            this.routes = routes;
            return this;
        }

        public Builder stateFile(Path stateFile) {
            this.stateFile = Optional.of(stateFile);
            return this;
        }

        /** A listener besides {@code main} (the socket this builder was made for). */
        public Builder listener(ListenerConfig listener) {
            moreListeners.add(listener);
            return this;
        }

        public Builder accessLog(dev.udsgate.config.AccessLogFormat format) {
            this.accessLog = Optional.of(format);
            return this;
        }

        public Builder fastPath(boolean fastPath) {
            this.fastPath = fastPath;
            return this;
        }

        /**
         * What a reload reads: {@code source} stands for {@code serve --config FILE} reading its file
         * again; it may throw {@link dev.udsgate.config.InvalidConfigException} as that would.
         */
        public Builder reloadFrom(Supplier<GatewayConfig> source) {
            this.source = Optional.of(new ConfigSource("test.yaml", source));
            return this;
        }

        /** The configuration this builder starts the server with. */
        public GatewayConfig config() {
            ListenerConfig listener =
                    new ListenerConfig("main", socket, mode, group, ListenerConfig.DEFAULT_BACKLOG, limits);
            List<ListenerConfig> listeners = new java.util.ArrayList<>(List.of(listener));
            listeners.addAll(moreListeners);
            return new GatewayConfig(
                    listeners,
                    Duration.ofSeconds(5),
                    idleTimeout,
                    headerTimeout,
                    history,
                    routes,
                    stateFile,
                    fastPath,
                    accessLog,
                    dev.udsgate.config.LogFormat.DEFAULT,
                    false);
        }

        public TestServer start() {
            UdsGate gate = new UdsGate(config(), source);
            gate.start();
            return new TestServer(gate, socket);
        }
    }
}
