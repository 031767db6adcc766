package dev.udsgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.udsgate.testing.Api;
import dev.udsgate.testing.RawHttp;
import dev.udsgate.testing.ServerProcess;
import dev.udsgate.testing.TestUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** SIGHUP on udsgate run as its own process: the file read again and applied, or refused whole. */
@Timeout(60)
class ReloadSignalTest {

    private static final Duration START = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void sighupAppliesTheEditedFileAndKeepsOpenConnectionsThenRefusesABrokenOneWhole() throws Exception {
        Path main = dir.resolve("main.sock");
        Path extra = dir.resolve("extra.sock");
        Path config = dir.resolve("udsgate.yaml");
        Files.writeString(config, "listeners:\n  - {name: main, path: " + main + "}\n");
        try (TestUpstream echo = TestUpstream.onUnixSocket("echo", dir.resolve("echo.sock"));
                ServerProcess server = ServerProcess.start(
                        dir.resolve("server.log"), Main.class, "serve", "--config", config.toString())) {
            // serve's own line, printed once SIGHUP reloads (the log line before it says the same).
            server.awaitOutput("\nlistening on unix:" + main + "\n", START);
            try (RawHttp kept = RawHttp.connect(main)) {
                assertThat(kept.exchange("GET", "/_ping").status()).isEqualTo(200);

                Files.writeString(
                        config,
                        "listeners:\n  - {name: main, path: " + main + "}\n  - {name: extra, path: " + extra
                                + ", mode: \"0600\"}\nroutes:\n  - {name: echo, host: echo, upstreams: [\"unix:"
                                + dir.resolve("echo.sock") + "\"]}\n");
                server.signal("HUP");
                server.awaitOutput("reloaded " + config, START);

                Api.over(extra).get("/v1/socket").then().statusCode(200);
                Api.unchecked(main).header("Host", "echo").get("/hi").then().statusCode(200);
                assertThat(kept.exchange("GET", "/_ping").status())
                        .as("the connection kept open across the reload")
                        .isEqualTo(200);
                assertThat(server.output()).contains("listeners added: extra; routes added: echo");

                Files.writeString(config, "listeners:\n  - {name: main, path: " + main + ", mode: rw}\n");
                server.signal("HUP");
                server.awaitOutput("reload refused", START);

                assertThat(server.output().lines().filter(line -> line.contains("reload refused")))
                        .singleElement()
                        .asString()
                        .contains("WARN", "listeners[0].mode");
                Api.over(extra).get("/_ping").then().statusCode(200);
                Api.unchecked(main).header("Host", "echo").get("/hi").then().statusCode(200);
                assertThat(kept.exchange("GET", "/_ping").status()).isEqualTo(200);
                assertThat(server.isAlive()).isTrue();
            }
            server.terminate();
            assertThat(server.awaitExit(Duration.ofSeconds(10))).isZero();
            assertThat(extra).doesNotExist();
        }
    }

    @Test
    void sighupWithoutAConfigFileSaysSoInOneLineAndKeepsServing() {
        Path socket = dir.resolve("udsgate.sock");
        try (ServerProcess server =
                ServerProcess.start(dir.resolve("server.log"), Main.class, "serve", "--socket", socket.toString())) {
            server.awaitOutput("\nlistening on unix:" + socket + "\n", START);

            server.signal("HUP");
            server.awaitOutput("nothing to reload", START);

            assertThat(server.output().lines().filter(line -> line.contains("SIGHUP")))
                    .singleElement()
                    .asString()
                    .contains("nothing to reload: udsgate was started without --config");
            Api.over(socket).get("/_ping").then().statusCode(200);
            assertThat(server.isAlive()).isTrue();
            server.terminate();
            assertThat(server.awaitExit(Duration.ofSeconds(10))).isZero();
        }
    }
}
