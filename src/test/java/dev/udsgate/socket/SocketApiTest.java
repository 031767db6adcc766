package dev.udsgate.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.udsgate.testing.Api;
import dev.udsgate.testing.EventSubscriber;
import dev.udsgate.testing.SocketFixtures;
import dev.udsgate.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
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
                .body("activation", equalTo("bound"))
                .body("fd", nullValue())
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
    void aSocketFileMovedAwayLeavesTheListenerDetachedUntilItComesBack() throws Exception {
        Path socket = server.socket();
        Path moved = dir.resolve("moved.sock");
        try (EventSubscriber events = EventSubscriber.open(socket, "type=listener.detached&type=listener.listening")) {
            Files.move(socket, moved);

            // The moved file is the same socket: the API answers through it.
            Api.over(moved)
                    .get("/v1/socket")
                    .then()
                    .statusCode(200)
                    .body("state", equalTo("detached"))
                    .body("file", nullValue())
                    .body("lifecycle.state", contains("created", "bound", "listening", "detached"));
            assertThat(events.next(Duration.ofSeconds(5)).get("type").asText()).isEqualTo("listener.detached");

            Files.move(moved, socket);

            server.api().get("/v1/socket").then().statusCode(200).body("state", equalTo("listening"));
            assertThat(events.next(Duration.ofSeconds(5)).get("type").asText()).isEqualTo("listener.listening");
        }
    }

    @Test
    void aSocketFileRemovedByHandIsNoticedWithoutAnyRequest() throws Exception {
        try (EventSubscriber events = EventSubscriber.open(server.socket(), "type=listener.detached")) {
            Files.delete(server.socket());

            JsonNode detached = events.next(Duration.ofSeconds(5));
            assertThat(detached).as("a listener.detached event").isNotNull();
            assertThat(detached.get("data").get("path").asText())
                    .isEqualTo(server.socket().toString());
        }
        assertThat(server.gate().listeners().get(0).state()).isEqualTo(ListenerState.DETACHED);
    }

    @Test
    void theAcceptQueueOfAServerThatKeepsUpIsEmpty() {
        // Read from the kernel's table of Unix sockets: null would mean the listener was not found in it.
        server.api().get("/v1/socket").then().statusCode(200).body("acceptQueueLength", equalTo(0));
        server.api().head("/v1/socket").then().statusCode(200);
    }
}
