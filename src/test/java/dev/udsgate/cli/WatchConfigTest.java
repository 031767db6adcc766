package dev.udsgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.JsonNode;
import dev.udsgate.reload.ConfigWatcher;
import dev.udsgate.testing.Api;
import dev.udsgate.testing.EventSubscriber;
import dev.udsgate.testing.ServerProcess;
import dev.udsgate.testing.TestUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --watch-config}, run as its own process: the file changed as a Kubernetes ConfigMap
 * changes it (an atomic swap of the {@code ..data} symlink), or edited in place, is applied as
 * SIGHUP would apply it, and said in a {@code config.reloaded} event.
 */
@Timeout(60)
class WatchConfigTest {

    private static final Duration START = Duration.ofSeconds(20);
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Five quiet periods: long enough that a reload would have been seen. */
    private static final Duration NO_RELOAD = ConfigWatcher.QUIET.multipliedBy(5);

    @TempDir
    Path dir;

    private String listeners(String... more) {
        StringBuilder yaml =
                new StringBuilder("listeners:\n  - {name: main, path: " + dir.resolve("main.sock") + "}\n");
        for (String name : more) {
            yaml.append("  - {name: ")
                    .append(name)
                    .append(", path: ")
                    .append(dir.resolve(name + ".sock"))
                    .append("}\n");
        }
        return yaml.toString();
    }

    private String echoRoute() {
        return "routes:\n  - {name: echo, host: echo, upstreams: [\"unix:" + dir.resolve("echo.sock") + "\"]}\n";
    }

    private ServerProcess serve(Path config) {
        ServerProcess server = ServerProcess.start(
                dir.resolve("server.log"), Main.class, "serve", "--config", config.toString(), "--watch-config");
        server.awaitOutput("\nlistening on unix:" + dir.resolve("main.sock") + "\n", START);
        return server;
    }

    private static JsonNode reloaded(EventSubscriber events) {
        List<JsonNode> seen = events.until(e -> e.get("type").asText().equals("config.reloaded"), WAIT);
        return seen.get(seen.size() - 1);
    }

    @Test
    void aConfigMapSwapOfItsDataSymlinkIsAppliedWithAConfigReloadedEvent() throws Exception {
        Path volume = Files.createDirectory(dir.resolve("volume"));
        Files.writeString(
                Files.createDirectory(volume.resolve("..2026_12_01_10_00_00.1")).resolve("udsgate.yaml"), listeners());
        Files.createSymbolicLink(volume.resolve("..data"), Path.of("..2026_12_01_10_00_00.1"));
        Path config = Files.createSymbolicLink(volume.resolve("udsgate.yaml"), Path.of("..data/udsgate.yaml"));

        try (TestUpstream echo = TestUpstream.onUnixSocket("echo", dir.resolve("echo.sock"));
                ServerProcess server = serve(config);
                EventSubscriber events = EventSubscriber.open(dir.resolve("main.sock"), "type=config.reloaded")) {
            // What the kubelet does: write the new version, point a new symlink at it, rename it over ..data.
            Path next = Files.createDirectory(volume.resolve("..2026_12_01_10_05_00.2"));
            Files.writeString(next.resolve("udsgate.yaml"), listeners("extra") + echoRoute());
            Path swapped = Files.createSymbolicLink(volume.resolve("..data_tmp"), next.getFileName());
            Files.move(swapped, volume.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
            Files.delete(volume.resolve("..2026_12_01_10_00_00.1/udsgate.yaml"));
            Files.delete(volume.resolve("..2026_12_01_10_00_00.1"));

            JsonNode event = reloaded(events);

            assertThat(event.at("/data/listeners/added").toString()).isEqualTo("[\"extra\"]");
            assertThat(event.at("/data/routes/added").toString()).isEqualTo("[\"echo\"]");
            assertThat(event.get("user").isNull())
                    .as("no API caller: the file changed")
                    .isTrue();
            Api.over(dir.resolve("extra.sock")).get("/v1/socket").then().statusCode(200);
            Api.over(dir.resolve("main.sock"))
                    .get("/v1/routes")
                    .then()
                    .statusCode(200)
                    .body("name", hasItem("echo"));
            Api.unchecked(dir.resolve("main.sock"))
                    .header("Host", "echo")
                    .get("/hi")
                    .then()
                    .statusCode(200);
            assertThat(server.output()).contains(config + " changed: reading it again");
        }
    }

    @Test
    void aPlainFileEditedInPlaceIsAppliedAndTheSameContentAgainIsNot() throws Exception {
        Path config = Files.writeString(dir.resolve("udsgate.yaml"), listeners());
        Object inode = Files.getAttribute(config, "unix:ino");

        try (TestUpstream echo = TestUpstream.onUnixSocket("echo", dir.resolve("echo.sock"));
                ServerProcess server = serve(config);
                EventSubscriber events = EventSubscriber.open(dir.resolve("main.sock"), "type=config.reloaded")) {
            Files.writeString(config, listeners() + echoRoute());
            assertThat(Files.getAttribute(config, "unix:ino"))
                    .as("edited in place")
                    .isEqualTo(inode);

            JsonNode event = reloaded(events);

            assertThat(event.at("/data/routes/added").toString()).isEqualTo("[\"echo\"]");
            Api.unchecked(dir.resolve("main.sock"))
                    .header("Host", "echo")
                    .get("/hi")
                    .then()
                    .statusCode(200);

            Files.writeString(config, listeners() + echoRoute());
            assertThat(events.next(NO_RELOAD))
                    .as("the same content written again reloads nothing")
                    .isNull();
            assertThat(server.output().lines().filter(line -> line.contains("changed: reading it again")))
                    .hasSize(1);
        }
    }
}
