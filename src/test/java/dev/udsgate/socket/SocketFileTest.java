package dev.udsgate.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.udsgate.config.FileMode;
import dev.udsgate.testing.SocketFixtures;
import dev.udsgate.testing.TestServer;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The socket file's rules: what udsgate does with what it finds at its path, and what it leaves. */
class SocketFileTest {

    @TempDir
    Path dir;

    @Test
    void staleSocketFromADeadProcessIsReplaced() throws Exception {
        Path path = dir.resolve("udsgate.sock");
        SocketFixtures.staleSocketAt(path);
        long staleInode = SocketFixtures.inode(path);
        assertThat(SocketFixtures.connects(path)).isFalse();

        try (TestServer server = TestServer.start(path)) {
            assertThat(SocketFixtures.inode(path)).isNotEqualTo(staleInode);
            server.api().get("/_ping").then().statusCode(200);
        }
    }

    @Test
    void liveSocketOfAnotherServerIsNeverTaken() throws Exception {
        Path path = dir.resolve("udsgate.sock");
        try (ServerSocketChannel other = SocketFixtures.liveSocketAt(path)) {
            long inode = SocketFixtures.inode(path);

            assertThatThrownBy(() -> TestServer.start(path))
                    .isInstanceOf(ListenerStartException.class)
                    .hasMessageContaining("another server is listening on " + path);

            assertThat(SocketFixtures.inode(path)).isEqualTo(inode);
            assertThat(SocketFixtures.connects(path)).isTrue();
        }
    }

    @Test
    void regularFileAtThePathIsNeverDeleted() throws Exception {
        Path path = dir.resolve("udsgate.sock");
        Files.writeString(path, "precious");

        assertThatThrownBy(() -> TestServer.start(path))
                .isInstanceOf(ListenerStartException.class)
                .hasMessageContaining("is a regular file, not a socket");

        assertThat(Files.readString(path)).isEqualTo("precious");
    }

    @Test
    void folderAtThePathIsNeverDeleted() throws Exception {
        Path path = dir.resolve("udsgate.sock");
        Files.createDirectory(path);
        Files.writeString(path.resolve("inside"), "kept");

        assertThatThrownBy(() -> TestServer.start(path)).hasMessageContaining("is a folder, not a socket");

        assertThat(Files.readString(path.resolve("inside"))).isEqualTo("kept");
    }

    @Test
    void symbolicLinkIsNeitherFollowedNorDeleted() throws Exception {
        Path stale = dir.resolve("elsewhere.sock");
        SocketFixtures.staleSocketAt(stale);
        Path path = dir.resolve("udsgate.sock");
        Files.createSymbolicLink(path, stale);

        assertThatThrownBy(() -> TestServer.start(path)).hasMessageContaining("is a symbolic link, not a socket");

        assertThat(Files.isSymbolicLink(path)).isTrue();
        assertThat(SocketFixtures.isSocket(stale)).isTrue();
    }

    @Test
    void pathOverTheKernelLimitIsRefusedWithItsLengthAndTheLimit() {
        Path path = dir.resolve("x".repeat(107 - dir.toString().length() - 1));
        assertThat(path.toString()).hasSize(107);

        assertThatThrownBy(() -> TestServer.start(path))
                .isInstanceOf(ListenerStartException.class)
                .hasMessageContaining("is 107 bytes long")
                .hasMessageContaining("at most 106 bytes");
        assertThat(path).doesNotExist();
    }

    @Test
    void pathOfExactlyTheLimitIsServed() {
        Path path = dir.resolve("s".repeat(106 - dir.toString().length() - 1));
        assertThat(path.toString()).hasSize(106);

        try (TestServer server = TestServer.start(path)) {
            server.api().get("/_ping").then().statusCode(200);
        }
    }

    @Test
    void missingParentFolderIsNamed() {
        Path path = dir.resolve("no-such-folder").resolve("udsgate.sock");

        assertThatThrownBy(() -> TestServer.start(path))
                .isInstanceOf(ListenerStartException.class)
                .hasMessageContaining("folder " + path.getParent() + " does not exist");
    }

    @Test
    void modeIsAppliedToTheFile() throws Exception {
        for (String mode : List.of("0600", "0660", "0666")) {
            Path path = dir.resolve("m" + mode + ".sock");
            try (TestServer server = TestServer.start(path, FileMode.parse(mode), Optional.empty())) {
                assertThat(SocketFixtures.permissions(path))
                        .isEqualTo(FileMode.parse(mode).symbolic());
            }
        }
    }

    @Test
    void groupIsAppliedByNameAndByNumber() throws Exception {
        assumeTrue(SocketFixtures.isRoot(), "only root may give a file to a group it is not in");
        Path byName = dir.resolve("byname.sock");
        try (TestServer server = TestServer.start(byName, FileMode.DEFAULT_SOCKET_MODE, Optional.of("nogroup"))) {
            assertThat(Files.getAttribute(byName, "unix:gid", LinkOption.NOFOLLOW_LINKS))
                    .isEqualTo(65534);
            server.api()
                    .get("/v1/socket")
                    .then()
                    .statusCode(200)
                    .body("file.group.name", org.hamcrest.Matchers.equalTo("nogroup"))
                    .body("configuredGroup", org.hamcrest.Matchers.equalTo("nogroup"));
        }
        Path byNumber = dir.resolve("bynumber.sock");
        try (TestServer server = TestServer.start(byNumber, FileMode.DEFAULT_SOCKET_MODE, Optional.of("54321"))) {
            assertThat(Files.getAttribute(byNumber, "unix:gid", LinkOption.NOFOLLOW_LINKS))
                    .isEqualTo(54321);
            server.api()
                    .get("/v1/socket")
                    .then()
                    .statusCode(200)
                    .body("file.group.id", org.hamcrest.Matchers.equalTo(54321))
                    .body("file.group.name", org.hamcrest.Matchers.nullValue());
        }
    }

    @Test
    void unknownGroupIsRefusedAndNothingIsLeftBehind() throws Exception {
        Path path = dir.resolve("udsgate.sock");

        assertThatThrownBy(
                        () -> TestServer.start(path, FileMode.DEFAULT_SOCKET_MODE, Optional.of("no-such-group-here")))
                .isInstanceOf(ListenerStartException.class)
                .hasMessageContaining("no group named no-such-group-here");

        assertThat(entries(dir)).isEmpty();
    }

    @Test
    void noPrivateFolderIsLeftBehindWhileServingOrAfterStop() throws Exception {
        Path path = dir.resolve("udsgate.sock");
        try (TestServer server = TestServer.start(path)) {
            assertThat(entries(dir)).containsExactly("udsgate.sock");
        }
        assertThat(entries(dir)).isEmpty();
    }

    @Test
    void stopLeavesAFileThatIsNoLongerOurs() throws Exception {
        Path path = dir.resolve("udsgate.sock");
        TestServer server = TestServer.start(path);
        Files.delete(path);
        try (ServerSocketChannel successor = SocketFixtures.liveSocketAt(path)) {
            long successorInode = SocketFixtures.inode(path);

            server.close();

            assertThat(SocketFixtures.inode(path)).isEqualTo(successorInode);
            assertThat(SocketFixtures.connects(path)).isTrue();
        }
    }

    @Test
    void theSocketIsNeverVisibleWithAWiderModeThanConfigured() throws Exception {
        // A watcher stats the path as fast as it can while udsgate starts again and again. Binding
        // in place and then calling chmod would show 0755 (0777 less the umask) for a moment.
        Path path = dir.resolve("udsgate.sock");
        AtomicBoolean watching = new AtomicBoolean(true);
        AtomicReference<String> widest = new AtomicReference<>();
        Thread watcher = new Thread(() -> {
            while (watching.get()) {
                try {
                    String seen = SocketFixtures.permissions(path);
                    if (!seen.equals("rw-------")) {
                        widest.compareAndSet(null, seen);
                    }
                } catch (Exception absent) {
                    // not there between runs
                }
            }
        });
        watcher.start();
        try {
            for (int run = 0; run < 20; run++) {
                try (TestServer server = TestServer.start(path, FileMode.parse("0600"), Optional.empty())) {
                    assertThat(SocketFixtures.connects(path)).isTrue();
                }
            }
        } finally {
            watching.set(false);
            watcher.join();
        }
        assertThat(widest.get()).as("a mode seen at the socket path").isNull();
    }

    private static List<String> entries(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
