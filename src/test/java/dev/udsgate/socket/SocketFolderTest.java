package dev.udsgate.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.udsgate.testing.SocketFixtures;
import dev.udsgate.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The folders a socket may be created in: out of every other user's reach, from / down. */
class SocketFolderTest {

    @TempDir
    Path dir;

    @Test
    void aFolderOthersMayWriteIsRefusedBeforeAnythingIsMadeInIt() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThatThrownBy(() -> TestServer.start(folder.resolve("udsgate.sock")))
                .isInstanceOf(ListenerStartException.class)
                .hasMessageContaining(
                        "folder " + folder + " may be written by other users (mode 0777) and is not sticky")
                .hasMessageContaining("chmod go-w " + folder);

        assertThat(entries(folder)).isEmpty();
    }

    @Test
    void aFolderItsGroupMayWriteIsRefusedToo() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("group"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwx---"));

        assertThatThrownBy(() -> TestServer.start(folder.resolve("udsgate.sock")))
                .hasMessageContaining("folder " + folder + " may be written by other users (mode 0770)");
    }

    @Test
    void anUnsafeFolderHigherUpIsRefusedByName() throws Exception {
        Path above = Files.createDirectory(dir.resolve("above"));
        Path folder = Files.createDirectory(above.resolve("below"));
        Files.setPosixFilePermissions(above, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThatThrownBy(() -> TestServer.start(folder.resolve("udsgate.sock")))
                .hasMessageContaining("folder " + above + " may be written by other users");
    }

    @Test
    void aStickyFolderOthersMayWriteIsServed() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("sticky"));
        run("chmod", "1777", folder.toString());

        try (TestServer server = TestServer.start(folder.resolve("udsgate.sock"))) {
            server.api().get("/_ping").then().statusCode(200);
        }
    }

    @Test
    void aFolderOwnedByAnotherUserIsRefused() throws Exception {
        assumeTrue(SocketFixtures.isRoot(), "only root may give a folder away");
        Path folder = Files.createDirectory(dir.resolve("nobodys"));
        UserPrincipal nobody =
                folder.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(folder, nobody);

        assertThatThrownBy(() -> TestServer.start(folder.resolve("udsgate.sock")))
                .isInstanceOf(ListenerStartException.class)
                .hasMessageContaining(
                        "folder " + folder + " belongs to uid 65534, neither root nor the user udsgate runs as");
        assertThat(entries(folder)).isEmpty();
    }

    @Test
    void aStaleSocketOfAnotherUserIsLeftInPlace() throws Exception {
        assumeTrue(SocketFixtures.isRoot(), "only root may give a socket away");
        Path path = dir.resolve("udsgate.sock");
        SocketFixtures.staleSocketAt(path);
        long inode = SocketFixtures.inode(path);
        UserPrincipal nobody =
                path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.getFileAttributeView(
                        path, java.nio.file.attribute.PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setOwner(nobody);

        assertThatThrownBy(() -> TestServer.start(path))
                .isInstanceOf(ListenerStartException.class)
                .hasMessageContaining("a stale socket at " + path)
                .hasMessageContaining("belongs to uid 65534")
                .hasMessageContaining("udsgate removes only its own user's stale sockets");

        assertThat(SocketFixtures.inode(path)).isEqualTo(inode);
    }

    @Test
    void aLinkedFolderIsCheckedAndUsedThroughItsRealPath() throws Exception {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);

        try (TestServer server = TestServer.start(link.resolve("udsgate.sock"))) {
            assertThat(SocketFixtures.isSocket(real.resolve("udsgate.sock"))).isTrue();
            server.api().get("/_ping").then().statusCode(200);
        }
        assertThat(entries(real)).isEmpty();
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).inheritIO().start();
        assertThat(process.waitFor()).isZero();
    }

    private static java.util.List<String> entries(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
