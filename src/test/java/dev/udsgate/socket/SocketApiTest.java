package dev.udsgate.socket;

import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.udsgate.testing.SocketFixtures;
import dev.udsgate.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SocketApiTest {

    @TempDir
    Path dir;

    TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(dir.resolve("udsgate.sock"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void socketIsDescribedAsTheFilesystemSeesIt() throws Exception {
        Path socket = server.socket();
        int uid = (Integer) Files.getAttribute(socket, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int gid = (Integer) Files.getAttribute(socket, "unix:gid", LinkOption.NOFOLLOW_LINKS);

        server.api()
                .get("/v1/socket")
                .then()
                .statusCode(200)
                .body("listener", equalTo("main"))
                .body("path", equalTo(socket.toString()))
                .body("state", equalTo("listening"))
                .body("lifecycle.state", contains("created", "bound", "listening"))
                .body("boundAt", notNullValue())
                .body("listeningAt", notNullValue())
                .body("requestedBacklog", equalTo(512))
                .body("file.kind", equalTo("socket"))
                .body("file.mode", equalTo("0660"))
                .body("file.permissions", equalTo("srw-rw----"))
                .body("file.owner.id", equalTo(uid))
                .body("file.group.id", equalTo(gid))
                .body("file.inode", equalTo((int) SocketFixtures.inode(socket)))
                .body("file.ours", equalTo(true));
    }

    @Test
    void aChmodByHandShowsUpAtOnce() throws Exception {
        Files.setPosixFilePermissions(server.socket(), PosixFilePermissions.fromString("rw-------"));

        server.api()
                .get("/v1/socket")
                .then()
                .statusCode(200)
                .body("configuredMode", equalTo("0660"))
                .body("file.mode", equalTo("0600"))
                .body("file.permissions", equalTo("srw-------"));
    }

    @Test
    void theAcceptQueueOfAServerThatKeepsUpIsEmpty() {
        // Read from the kernel's table of Unix sockets: null would mean the listener was not found in it.
        server.api().get("/v1/socket").then().statusCode(200).body("acceptQueueLength", equalTo(0));
        server.api().head("/v1/socket").then().statusCode(200);
    }
}
