package dev.udsgate.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.udsgate.config.Exposure;
import dev.udsgate.config.FileMode;
import dev.udsgate.config.ListenerConfig;
import dev.udsgate.config.RouteConfig;
import dev.udsgate.testing.Api;
import dev.udsgate.testing.ConfigFixtures;
import dev.udsgate.testing.SocketFixtures;
import dev.udsgate.testing.TestServer;
import dev.udsgate.testing.TestUpstream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several listeners in one udsgate, each with its own file permissions and its own offer: the whole
 * API or a read-only one or none, every route or some.
 */
class ListenersTest {

    @TempDir
    Path dir;

    TestServer server;
    final List<TestUpstream> upstreams = new ArrayList<>();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        upstreams.forEach(TestUpstream::close);
    }

    private static ListenerConfig listener(String name, Path path, String mode, Exposure exposure) {
        return ConfigFixtures.listener(name, path, mode, exposure);
    }

    private RouteConfig routeTo(String name, String host, String prefix) {
        Path socket = dir.resolve(name + ".sock");
        upstreams.add(TestUpstream.onUnixSocket(name, socket));
        return ConfigFixtures.route(name, host, prefix, socket);
    }

    private Path admin() {
        return dir.resolve("admin.sock");
    }

    private Path shared() {
        return dir.resolve("shared.sock");
    }

    @Test
    void aReadOnlyListenerRefusesEveryWriteAndAnswersEveryRead() {
        server = TestServer.on(admin())
                .listener(listener("shared", shared(), "0660", new Exposure(Exposure.Api.READ_ONLY, Optional.empty())))
                .start();
        String route = "{\"host\":\"x\",\"upstreams\":[\"unix:/run/x.sock\"]}";

        Api.over(shared())
                .contentType("application/json")
                .body(route)
                .put("/v1/routes/x")
                .then()
                .statusCode(403)
                .contentType("application/problem+json")
                .body("detail", containsString("listener shared offers the API read-only: PUT /v1/routes/x"));
        Api.over(shared()).delete("/v1/routes/x").then().statusCode(403);
        Api.over(shared()).delete("/v1/connections/self").then().statusCode(403);
        Api.over(shared()).get("/v1/routes").then().statusCode(200);
        Api.over(shared()).get("/v1/socket").then().statusCode(200).body("offers.api", equalTo("read-only"));
        Api.over(shared()).head("/v1/info").then().statusCode(200);

        Api.over(admin())
                .contentType("application/json")
                .body(route)
                .put("/v1/routes/x")
                .then()
                .statusCode(201);
    }

    @Test
    void aRouteTheListenerDoesNotOfferIsAsIfItDidNotExist() {
        RouteConfig billing = routeTo("billing", "billing", null);
        RouteConfig catchAll = routeTo("rest", null, "/");
        server = TestServer.on(admin())
                .routes(List.of(billing, catchAll))
                .listener(listener(
                        "shared", shared(), "0660", new Exposure(Exposure.Api.FULL, Optional.of(Set.of("rest")))))
                .start();

        Api.unchecked(admin())
                .header("Host", "billing")
                .get("/x")
                .then()
                .statusCode(200)
                .body("upstream", equalTo("billing"));
        // The more specific route is not there: the one the listener offers takes the request.
        Api.unchecked(shared())
                .header("Host", "billing")
                .get("/x")
                .then()
                .statusCode(200)
                .body("upstream", equalTo("rest"));
        Api.over(shared()).get("/v1/socket").then().body("offers.routes", equalTo(List.of("rest")));
    }

    @Test
    void aListenerWithNoApiSendsEveryPathToItsRoutes() {
        RouteConfig daemon = routeTo("daemon", null, "/");
        server = TestServer.on(admin())
                .routes(List.of(daemon))
                .listener(listener("front", shared(), "0660", new Exposure(Exposure.Api.NONE, Optional.empty())))
                .start();

        for (String path : List.of("/_ping", "/v1/version", "/v1.41/containers/json")) {
            // The upstream's answer, its headers too (what a client negotiates its version from), not udsgate's.
            Api.unchecked(shared())
                    .get(path)
                    .then()
                    .statusCode(200)
                    .header("X-Upstream", "daemon")
                    .header("Api-Version", nullValue())
                    .body("upstream", equalTo("daemon"))
                    .body("path", equalTo(path));
        }
        Api.over(admin()).get("/_ping").then().statusCode(200).body(equalTo("OK"));
    }

    @Test
    void socketsListsEveryListenerAndSocketIsTheCallers() {
        server = TestServer.on(admin())
                .listener(listener("shared", shared(), "0666", new Exposure(Exposure.Api.READ_ONLY, Optional.empty())))
                .start();

        Api.over(admin())
                .get("/v1/sockets")
                .then()
                .statusCode(200)
                .body("listener", equalTo(List.of("main", "shared")))
                .body("configuredMode", equalTo(List.of("0660", "0666")))
                .body("offers.api", equalTo(List.of("full", "read-only")))
                .body("offers.routes", everyItem(nullValue()));
        Api.over(admin()).get("/v1/sockets/shared").then().statusCode(200).body("path", equalTo(shared().toString()));
        Api.over(admin())
                .get("/v1/sockets/nothing")
                .then()
                .statusCode(404)
                .body("detail", equalTo("no listener named nothing; the listeners are main, shared"));
        Api.over(shared()).get("/v1/socket").then().body("listener", equalTo("shared"));
        Api.over(admin()).get("/v1/socket").then().body("listener", equalTo("main"));
    }

    @Test
    void connectionsAndEventsAreFilteredByListener() {
        server = TestServer.on(admin())
                .listener(listener("shared", shared(), "0660", Exposure.EVERYTHING))
                .start();

        Api.over(shared())
                .get("/v1/connections?listener=shared")
                .then()
                .statusCode(200)
                .body("listener", everyItem(equalTo("shared")))
                .body("size()", equalTo(1));
        Api.over(admin())
                .get("/v1/connections?listener=shared")
                .then()
                .statusCode(200)
                .body("size()", equalTo(0));
        Api.over(admin())
                .get("/v1/connections?listener=nothing")
                .then()
                .statusCode(400)
                .body(
                        "detail",
                        containsString("'listener' names no listener: got 'nothing'; the listeners are main, shared"));
        Api.over(admin())
                .get("/v1/events?since=0&until=" + (System.currentTimeMillis() / 1000 + 1)
                        + "&type=listener.listening&listener=shared")
                .then()
                .statusCode(200)
                .body(containsString("\"listener\":\"shared\""))
                .body(org.hamcrest.Matchers.not(containsString("\"listener\":\"main\"")));
    }

    @Test
    void aSocketsModeChangesLiveAndItsConnectionsStay() throws Exception {
        server = TestServer.on(admin())
                .listener(listener("shared", shared(), "0640", Exposure.EVERYTHING))
                .start();
        try (dev.udsgate.testing.RawHttp kept = dev.udsgate.testing.RawHttp.connect(shared())) {
            assertThat(kept.exchange("GET", "/_ping").status()).isEqualTo(200);

            Api.over(admin())
                    .contentType("application/json")
                    .body("{\"mode\": \"0604\"}")
                    .patch("/v1/sockets/shared")
                    .then()
                    .statusCode(200)
                    .body("configuredMode", equalTo("0604"))
                    .body("file.mode", equalTo("0604"));

            assertThat(SocketFixtures.permissions(shared())).isEqualTo("rw----r--");
            assertThat(kept.exchange("GET", "/_ping").status()).isEqualTo(200);
        }
        Api.over(admin())
                .get("/v1/events?since=0&until=" + (System.currentTimeMillis() / 1000 + 1)
                        + "&type=listener.permissions")
                .then()
                .body(containsString("\"mode\":\"0604\""))
                .body(containsString("\"listener\":\"shared\""));
    }

    /**
     * Going from 0640 to 0604 and back, a watcher never sees a mode wider than both ends allow
     * together in one step: each mode it sees is within the old one or the new one.
     */
    @Test
    void aModeChangeIsNeverWiderThanAskedInBetween() throws Exception {
        server = TestServer.on(admin())
                .listener(listener("shared", shared(), "0640", Exposure.EVERYTHING))
                .start();
        java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicBoolean watching = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread watcher = new Thread(() -> {
            while (watching.get()) {
                try {
                    seen.add(SocketFixtures.permissions(shared()));
                } catch (IOException e) {
                    seen.add("missing");
                }
            }
        });
        watcher.start();
        for (int i = 0; i < 20; i++) {
            for (String mode : List.of("0604", "0640")) {
                Api.over(admin())
                        .contentType("application/json")
                        .body("{\"mode\": \"" + mode + "\"}")
                        .patch("/v1/sockets/shared")
                        .then()
                        .statusCode(200);
            }
        }
        watching.set(false);
        watcher.join();

        assertThat(seen).isSubsetOf("rw-r-----", "rw----r--", "rw-------");
    }

    @Test
    void aChangeThatCannotBeMadeIsRefusedAndChangesNothing() throws Exception {
        server = TestServer.on(admin()).start();
        for (String body : List.of("{}", "{\"mode\": \"999\"}", "{\"mode\": \"0660\", \"owner\": \"x\"}", "[]")) {
            Api.over(admin())
                    .contentType("application/json")
                    .body(body)
                    .patch("/v1/sockets/main")
                    .then()
                    .statusCode(400)
                    .contentType("application/problem+json");
        }
        Api.over(admin())
                .contentType("application/json")
                .body("{\"group\": \"nosuchgroup\"}")
                .patch("/v1/sockets/main")
                .then()
                .statusCode(400)
                .body("detail", containsString("no group named nosuchgroup"));
        Api.over(admin())
                .contentType("application/json")
                .body("{\"mode\": \"0600\"}")
                .patch("/v1/sockets/other")
                .then()
                .statusCode(404);
        assertThat(SocketFixtures.permissions(admin())).isEqualTo("rw-rw----");

        // Moved away by hand: the listener is detached, and what is at the path now is not udsgate's.
        Path elsewhere = dir.resolve("moved.sock");
        Files.move(admin(), elsewhere);
        Files.writeString(admin(), "someone else's file");
        try (dev.udsgate.testing.RawHttp stillOpen = dev.udsgate.testing.RawHttp.connect(elsewhere)) {
            String body = "{\"mode\":\"0666\"}";
            stillOpen.send("PATCH /v1/sockets/main HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body);
            assertThat(stillOpen.readAnswer().status()).isEqualTo(409);
        }
        assertThat(SocketFixtures.permissions(admin())).isNotEqualTo("rw-rw-rw-");
        Files.delete(admin());
        Files.move(elsewhere, admin());
    }

    /** Each socket's own mode decides who may connect: the admin socket refuses nobody, the shared one lets it in. */
    @Test
    void eachListenerHasItsOwnPermissions() throws Exception {
        assumeTrue(SocketFixtures.isRoot(), "runs a client as nobody, which needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "needs curl");
        Path open = SocketFixtures.traversableFolder(dir);
        server = TestServer.on(open.resolve("admin.sock"))
                .mode(FileMode.parse("0600"))
                .listener(listener("shared", open.resolve("shared.sock"), "0666", Exposure.EVERYTHING))
                .start();

        assertThat(curlAsNobody(open.resolve("admin.sock"))).isEqualTo("000");
        assertThat(curlAsNobody(open.resolve("shared.sock"))).isEqualTo("200");
        assertThat(SocketFixtures.permissions(open.resolve("admin.sock"))).isEqualTo("rw-------");
        assertThat(SocketFixtures.permissions(open.resolve("shared.sock"))).isEqualTo("rw-rw-rw-");
    }

    private static String curlAsNobody(Path socket) throws IOException, InterruptedException {
        Process curl = new ProcessBuilder(
                        "runuser",
                        "-u",
                        "nobody",
                        "--",
                        "curl",
                        "-s",
                        "-o",
                        "/dev/null",
                        "--max-time",
                        "5",
                        "--unix-socket",
                        socket.toString(),
                        "-w",
                        "%{http_code}",
                        "http://localhost/_ping")
                .redirectErrorStream(true)
                .start();
        assertThat(curl.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }
}
