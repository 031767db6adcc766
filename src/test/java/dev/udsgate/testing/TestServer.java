package dev.udsgate.testing;

import dev.udsgate.UdsGate;
import dev.udsgate.config.FileMode;
import dev.udsgate.config.GatewayConfig;
import dev.udsgate.config.HistoryLimits;
import dev.udsgate.config.ListenerConfig;
import dev.udsgate.gateway.NoRoute;
import io.restassured.specification.RequestSpecification;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A real udsgate in this JVM, on a socket in a test's own folder. */
public final class TestServer implements AutoCloseable {

    private final UdsGate gate;
    private final Path socket;

    private TestServer(UdsGate gate, Path socket) {
        this.gate = gate;
        this.socket = socket;
    }

    public static TestServer start(Path socket) {
        return start(socket, FileMode.DEFAULT_SOCKET_MODE, Optional.empty());
    }

    public static TestServer start(Path socket, FileMode mode, Optional<String> group) {
        return start(socket, mode, group, HistoryLimits.DEFAULTS);
    }

    public static TestServer start(Path socket, HistoryLimits history) {
        return start(socket, FileMode.DEFAULT_SOCKET_MODE, Optional.empty(), history);
    }

    private static TestServer start(Path socket, FileMode mode, Optional<String> group, HistoryLimits history) {
        ListenerConfig listener = new ListenerConfig("main", socket, mode, group, ListenerConfig.DEFAULT_BACKLOG);
        UdsGate gate = new UdsGate(new GatewayConfig(List.of(listener), Duration.ofSeconds(5), history), new NoRoute());
        gate.start();
        return new TestServer(gate, socket);
    }

    public Path socket() {
        return socket;
    }

    public UdsGate gate() {
        return gate;
    }

    public RequestSpecification api() {
        return Api.over(socket);
    }

    @Override
    public void close() {
        gate.stop();
    }
}
