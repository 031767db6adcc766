package dev.udsgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.udsgate.testing.Api;
import dev.udsgate.testing.ServerProcess;
import dev.udsgate.testing.SlowGateway;
import dev.udsgate.testing.SocketFixtures;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signals and crashes, on udsgate run as its own process. The gateway here is a test one whose
 * answers take as long as asked, so that a request can be in flight when the signal comes.
 */
class ShutdownTest {

    private static final Duration START = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    /** udsgate with a route /slow to an upstream that answers as slowly as asked. */
    private ServerProcess serve(String... extra) {
        Path socket = dir.resolve("udsgate.sock");
        Path upstream = dir.resolve("upstream.sock");
        Path config = dir.resolve("udsgate.yaml");
        try {
            java.nio.file.Files.writeString(
                    config,
                    "routes:\n  - name: slow\n    pathPrefix: /slow\n" + "    upstreams: [\"unix:" + upstream
                            + "\"]\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        String[] args = new String[5 + extra.length];
        args[0] = "serve";
        args[1] = "--socket";
        args[2] = socket.toString();
        args[3] = "--config";
        args[4] = config.toString();
        System.arraycopy(extra, 0, args, 5, extra.length);
        ServerProcess process = ServerProcess.start(
                dir.resolve("server.log"), java.util.List.of("-Dupstream.socket=" + upstream), SlowGateway.class, args);
        process.awaitOutput("listening on unix:" + socket, START);
        return process;
    }

    private CompletableFuture<Response> slowRequest(long millis) {
        Path socket = dir.resolve("udsgate.sock");
        return CompletableFuture.supplyAsync(() -> Api.unchecked(socket).get("/slow?ms=" + millis));
    }

    @Test
    void sigtermLetsTheRequestInFlightFinishRemovesTheSocketAndExitsZero() throws Exception {
        Path socket = dir.resolve("udsgate.sock");
        try (ServerProcess server = serve("--shutdown-timeout", "10s")) {
            CompletableFuture<Response> inFlight = slowRequest(1500);
            server.awaitOutput("slow request started", START);

            server.terminate();

            // The file goes first, so that new clients fail at once while the old ones finish.
            awaitGone(socket);
            assertThat(inFlight).isNotDone();
            Response response = inFlight.get(10, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.asString()).isEqualTo("waited 1500 ms");
            assertThat(server.awaitExit(Duration.ofSeconds(10))).isZero();
            assertThat(server.output()).contains("SIGTERM received", "stopped gracefully");
        }
    }

    @Test
    void sigintStopsGracefullyToo() {
        Path socket = dir.resolve("udsgate.sock");
        try (ServerProcess server = serve()) {
            server.signal("INT");
            assertThat(server.awaitExit(Duration.ofSeconds(10))).isZero();
            assertThat(socket).doesNotExist();
            assertThat(server.output()).contains("SIGINT received", "stopped gracefully");
        }
    }

    @Test
    void aRequestOutlastingTheShutdownTimeoutIsCutOffAndTheExitSaysSo() throws Exception {
        Path socket = dir.resolve("udsgate.sock");
        try (ServerProcess server = serve("--shutdown-timeout", "300ms")) {
            CompletableFuture<Response> inFlight = slowRequest(20_000);
            server.awaitOutput("slow request started", START);

            server.terminate();

            assertThat(server.awaitExit(Duration.ofSeconds(10))).isEqualTo(1);
            assertThat(server.output()).contains("stopped forcibly after 300ms");
            assertThat(socket).doesNotExist();
            assertThat(inFlight).failsWithin(Duration.ofSeconds(5));
        }
    }

    @Test
    void socketLeftByKillMinusNineIsReplacedByTheNextStart() {
        Path socket = dir.resolve("udsgate.sock");
        try (ServerProcess crashed = serve()) {
            crashed.signal("KILL");
            crashed.awaitExit(Duration.ofSeconds(10));
        }
        assertThat(SocketFixtures.isSocket(socket))
                .as("kill -9 leaves the socket file")
                .isTrue();
        assertThat(SocketFixtures.connects(socket)).isFalse();

        try (ServerProcess restarted = serve()) {
            assertThat(restarted.output()).contains("removed stale socket " + socket);
            Api.over(socket).get("/_ping").then().statusCode(200);
            restarted.terminate();
            assertThat(restarted.awaitExit(Duration.ofSeconds(10))).isZero();
        }
    }

    private static void awaitGone(Path socket) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (Files.exists(socket) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(socket).doesNotExist();
    }
}
