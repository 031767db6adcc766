package dev.udsgate.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.udsgate.cli.Main;
import dev.udsgate.config.FileMode;
import dev.udsgate.testing.ApiContract;
import dev.udsgate.testing.ServerProcess;
import dev.udsgate.testing.SocketFixtures;
import dev.udsgate.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process behind a connection, from the kernel and /proc, over the real socket. */
class PeerProcessApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EXTRA_GROUP = 4242;

    @TempDir
    Path dir;

    @Test
    void aClientSeesItsOwnPidUserGroupsAndExecutable() throws Exception {
        assumeTrue(SocketFixtures.isRoot(), "runs the client as nobody with an extra group, which needs root");
        Path open = SocketFixtures.traversableFolder(dir);
        try (TestServer server =
                TestServer.start(open.resolve("udsgate.sock"), FileMode.parse("0666"), Optional.empty())) {
            // setpriv execs curl in place: the pid the test started is curl's.
            Process curl = new ProcessBuilder(
                            "setpriv",
                            "--reuid=65534",
                            "--regid=65534",
                            "--groups=" + EXTRA_GROUP,
                            "curl",
                            "-sf",
                            "--unix-socket",
                            server.socket().toString(),
                            "http://localhost/v1/connections/self")
                    .redirectErrorStream(true)
                    .start();
            long pid = curl.pid();
            assertThat(curl.waitFor(10, TimeUnit.SECONDS)).isTrue();
            String body = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(curl.exitValue()).as(body).isZero();

            ApiContract.assertSchema("Connection", body);
            JsonNode peer = JSON.readTree(body).get("peer");
            assertThat(peer.get("pid").asLong()).isEqualTo(pid);
            assertThat(peer.get("pidNamespace").asText()).isEqualTo("same");
            assertThat(peer.get("user").get("id").asLong()).isEqualTo(65534);
            JsonNode process = peer.get("process");
            assertThat(process.get("status").asText()).isEqualTo("known");
            assertThat(process.get("command").asText()).isEqualTo("curl");
            assertThat(process.get("exe").asText())
                    .isEqualTo(Path.of("/usr/bin/curl").toRealPath().toString());
            assertThat(process.get("groups").findValuesAsText("id")).containsExactly(Integer.toString(EXTRA_GROUP));
            assertThat(process.get("startedAt").asText()).isNotEmpty();
        }
    }

    @Test
    void aPeerWhoseProcessExitedBeforeItWasAskedAboutIsStaleNeverAnother() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/perl")), "needs perl (Debian's perl-base)");
        try (TestServer server = TestServer.start(dir.resolve("udsgate.sock"))) {
            // The parent connects and exits; a child it forked keeps the connection open.
            Process parent = new ProcessBuilder(
                            "perl",
                            "-MIO::Socket::UNIX",
                            "-e",
                            "my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die $!; print $s \"GET /_ping"
                                    + " HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n\"; sysread($s, my $b, 4096);"
                                    + " if (fork) { exit 0 } close STDOUT; sleep 20",
                            server.socket().toString())
                    .start();
            long pid = parent.pid();
            assertThat(parent.waitFor(10, TimeUnit.SECONDS)).isTrue();

            JsonNode connections = JSON.readTree(server.api()
                    .get("/v1/connections")
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString());
            JsonNode heldByTheChild = null;
            for (JsonNode connection : connections) {
                if (connection.get("peer").get("pid").asLong() == pid) {
                    heldByTheChild = connection;
                }
            }
            assertThat(heldByTheChild)
                    .as("the connection the exited parent made")
                    .isNotNull();
            JsonNode process = heldByTheChild.get("peer").get("process");
            assertThat(process.get("status").asText()).isEqualTo("stale");
            assertThat(process.get("command").isNull()).isTrue();
            assertThat(process.get("exe").isNull()).isTrue();
        }
    }

    @Test
    void withoutNativeAccessTheJdksCredentialsAreUsedAndSaidSo() throws Exception {
        Path socket = dir.resolve("udsgate.sock");
        try (ServerProcess server = ServerProcess.start(
                dir.resolve("out.log"), List.of(), Main.class, "serve", "--socket", socket.toString())) {
            server.awaitOutput("listening on", Duration.ofSeconds(20));

            String info = dev.udsgate.testing.Api.over(socket)
                    .get("/v1/info")
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString();
            assertThat(JSON.readTree(info).get("peerCredentials").get("source").asText())
                    .isEqualTo("jdk");
            String self = dev.udsgate.testing.Api.over(socket)
                    .get("/v1/connections/self")
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString();
            JsonNode peer = JSON.readTree(self).get("peer");
            assertThat(peer.get("pid").isNull()).isTrue();
            assertThat(peer.get("pidNamespace").asText()).isEqualTo("unknown");
            assertThat(peer.get("process").get("status").asText()).isEqualTo("unavailable");
            assertThat(peer.get("user").get("id").asLong())
                    .isEqualTo(((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue());
            assertThat(server.output()).contains("peer credentials: the JDK's SO_PEERCRED, without the peer's pid");
        }
    }

    @Test
    void withNativeAccessPidsAndPidfdsAreUsedAndSaidSo() {
        try (TestServer server = TestServer.start(dir.resolve("udsgate.sock"))) {
            server.api()
                    .get("/v1/info")
                    .then()
                    .statusCode(200)
                    .body("peerCredentials.source", org.hamcrest.Matchers.equalTo("native"))
                    .body("peerCredentials.pid", org.hamcrest.Matchers.equalTo(true));
            server.api()
                    .get("/v1/connections/self")
                    .then()
                    .body("peer.pid", org.hamcrest.Matchers.equalTo((int)
                            ProcessHandle.current().pid()))
                    .body("peer.process.status", org.hamcrest.Matchers.equalTo("known"));
        }
    }

    @Test
    void noPidfdOutlivesItsConnection() throws Exception {
        try (TestServer server = TestServer.start(dir.resolve("udsgate.sock"))) {
            long before = pidfdsHeld();
            for (int i = 0; i < 50; i++) {
                // Closed by the client, so the server sees each end at once.
                try (dev.udsgate.testing.RawHttp client = dev.udsgate.testing.RawHttp.connect(server.socket())) {
                    // Some connections' processes are read (their pidfd then goes at once), most not.
                    String path = i % 10 == 0 ? "/v1/connections/self" : "/_ping";
                    assertThat(client.exchange("GET", path).status()).isEqualTo(200);
                }
            }

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (pidfdsHeld() > before && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(pidfdsHeld()).as("pidfds this process holds").isLessThanOrEqualTo(before);
        }
    }

    /** This JVM's descriptors that are pidfds, as /proc/self/fd shows them. */
    private static long pidfdsHeld() throws Exception {
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                        try {
                            return Files.readSymbolicLink(fd).toString().contains("pidfd");
                        } catch (java.io.IOException gone) {
                            return false;
                        }
                    })
                    .count();
        }
    }
}
