package dev.udsgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.udsgate.testing.Api;
import dev.udsgate.testing.ServerProcess;
import dev.udsgate.testing.SocketFixtures;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * systemd socket activation, with the real protocol: {@code systemd-socket-activate} binds the
 * socket and exec's udsgate on the first connection, as systemd does for a .socket unit.
 */
class SystemdActivationTest {

    private static final Duration START = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private static List<String> socketActivate(Path socket, String fdName) {
        assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/systemd-socket-activate")),
                "systemd-socket-activate is not installed (Debian package systemd; .ci/run installs it)");
        return List.of("/usr/bin/systemd-socket-activate", "-l", socket.toString(), "--fdname=" + fdName);
    }

    private ServerProcess serve(List<String> launcher, String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "serve";
        System.arraycopy(args, 0, command, 1, args.length);
        return ServerProcess.startThrough(
                dir.resolve("server.log"), launcher, ServerProcess.AS_THE_JAR_RUNS, Main.class, command);
    }

    @Test
    void aSocketFromSystemdIsServedAsItIsAndLeftInPlaceAtStop() throws Exception {
        Path socket = dir.resolve("activated.sock");
        Path configured = dir.resolve("configured.sock");
        try (ServerProcess server = serve(socketActivate(socket, "main"), "--socket", configured.toString())) {
            server.awaitOutput("Listening on " + socket, START);
            // What SocketMode= would have set: udsgate's own --mode (0660 by default) must not replace it.
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-r-----"));
            long inode = SocketFixtures.inode(socket);

            // The first connection is what makes systemd-socket-activate exec udsgate; it waits in the backlog.
            Api.over(socket).get("/_ping").then().statusCode(200);
            server.awaitOutput("listening on unix:" + socket, START);

            Api.over(socket)
                    .get("/v1/socket")
                    .then()
                    .statusCode(200)
                    .body("activation", equalTo("systemd"))
                    .body("fd", equalTo(3))
                    .body("path", equalTo(socket.toString()))
                    .body("state", equalTo("listening"))
                    .body("configuredMode", nullValue())
                    .body("boundAt", nullValue())
                    .body("file.permissions", equalTo("srw-r-----"))
                    .body("file.ours", equalTo(true));
            assertThat(configured)
                    .as("--socket is not bound when systemd passed one")
                    .doesNotExist();
            assertThat(dir.toFile().list())
                    .as("no private bind folder")
                    .containsExactlyInAnyOrder("activated.sock", "server.log");

            server.terminate();

            assertThat(server.awaitExit(Duration.ofSeconds(10))).isZero();
            assertThat(server.output()).contains("stopped gracefully");
            assertThat(SocketFixtures.isSocket(socket))
                    .as("systemd's socket file stays")
                    .isTrue();
            assertThat(SocketFixtures.inode(socket)).isEqualTo(inode);
            assertThat(Files.getPosixFilePermissions(socket, LinkOption.NOFOLLOW_LINKS))
                    .isEqualTo(PosixFilePermissions.fromString("rw-r-----"));
        }
    }

    /** Two sockets, named for two listeners of the configuration: each goes to its own, with its offer. */
    @Test
    void twoNamedSocketsGoToTheirListeners() throws Exception {
        Path admin = dir.resolve("admin.sock");
        Path shared = dir.resolve("shared.sock");
        Path config = dir.resolve("udsgate.yaml");
        Files.writeString(
                config,
                "listeners:\n  - name: admin\n    path: " + dir.resolve("admin-configured.sock") + "\n"
                        + "  - name: shared\n    path: " + dir.resolve("shared-configured.sock") + "\n"
                        + "    api: read-only\n");
        List<String> launcher = new java.util.ArrayList<>(socketActivate(admin, "admin:shared"));
        launcher.addAll(3, List.of("-l", shared.toString())); // after the admin socket: fd 4
        try (ServerProcess server = serve(launcher, "--config", config.toString())) {
            server.awaitOutput("Listening on " + shared, START);
            Api.over(admin).get("/_ping").then().statusCode(200);
            server.awaitOutput("listening on unix:" + shared, START);

            Api.over(admin)
                    .get("/v1/socket")
                    .then()
                    .body("listener", equalTo("admin"))
                    .body("fd", equalTo(3));
            Api.over(shared)
                    .get("/v1/socket")
                    .then()
                    .body("listener", equalTo("shared"))
                    .body("fd", equalTo(4))
                    .body("offers.api", equalTo("read-only"));
            Api.over(shared).delete("/v1/routes/x").then().statusCode(403);
            assertThat(dir.resolve("admin-configured.sock")).doesNotExist();

            server.terminate();
            assertThat(server.awaitExit(Duration.ofSeconds(10))).isZero();
        }
    }

    @Test
    void aSocketNamedForNoListenerIsAOneLineStartError() throws Exception {
        Path socket = dir.resolve("activated.sock");
        try (ServerProcess server = serve(
                socketActivate(socket, "admin"),
                "--socket",
                dir.resolve("x.sock").toString())) {
            server.awaitOutput("Listening on " + socket, START);
            triggerStart(socket);

            assertThat(server.awaitExit(START)).isEqualTo(Main.EXIT_FAILURE);
            assertThat(udsgateLines(server))
                    .containsExactly("udsgate: fd 3 (" + socket + ") is named 'admin' in"
                            + " LISTEN_FDNAMES, but no listener has that name (listeners: main); set FileDescriptorName= in"
                            + " the .socket unit to a listener's name");
            assertThat(SocketFixtures.isSocket(socket)).isTrue();
        }
    }

    @Test
    void aRegularFileAsFdThreeIsAOneLineStartError() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-socket"), "x");
        // A shell opens the file as fd 3 and says it is a socket passed to its own pid, which exec keeps.
        List<String> launcher =
                List.of("sh", "-c", "exec 3<\"$0\"; export LISTEN_PID=$$ LISTEN_FDS=1; exec \"$@\"", file.toString());
        try (ServerProcess server =
                serve(launcher, "--socket", dir.resolve("x.sock").toString())) {
            assertThat(server.awaitExit(START)).isEqualTo(Main.EXIT_FAILURE);
            assertThat(udsgateLines(server))
                    .containsExactly("udsgate: fd 3 passed by systemd is not a socket: it is a"
                            + " regular file (" + file + "); udsgate serves only listening Unix stream sockets"
                            + " (ListenStream=/path in the .socket unit)");
            assertThat(server.output()).doesNotContain("Exception");
            assertThat(dir.resolve("x.sock")).doesNotExist();
        }
    }

    /** The error on stderr: one line, no stack trace. */
    private static List<String> udsgateLines(ServerProcess server) {
        assertThat(server.output()).doesNotContain("\tat ");
        return server.output().lines().filter(l -> l.startsWith("udsgate:")).toList();
    }

    /** A connection, so that systemd-socket-activate starts udsgate; it is refused or closed once udsgate fails. */
    private static void triggerStart(Path socket) throws IOException {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            // connected: the process starts now
        }
    }
}
