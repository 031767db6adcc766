package dev.udsgate.reload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.udsgate.config.ConfigFileLoader;
import dev.udsgate.config.Exposure;
import dev.udsgate.config.FileMode;
import dev.udsgate.config.GatewayConfig;
import dev.udsgate.config.ListenerConfig;
import dev.udsgate.config.RouteConfig;
import dev.udsgate.testing.Api;
import dev.udsgate.testing.ConfigFixtures;
import dev.udsgate.testing.RawHttp;
import dev.udsgate.testing.SocketFixtures;
import dev.udsgate.testing.TestServer;
import dev.udsgate.testing.TestUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/reload} in this JVM: the configuration "read again" is whatever the test put in
 * {@link #next}, as {@code serve --config FILE} would build it from the file.
 */
@Timeout(30)
class ReloadApiTest {

    @TempDir
    Path dir;

    TestServer server;
    final List<TestUpstream> upstreams = new ArrayList<>();
    final AtomicReference<GatewayConfig> next = new AtomicReference<>();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        upstreams.forEach(TestUpstream::close);
    }

    private Path admin() {
        return dir.resolve("admin.sock");
    }

    private Path shared() {
        return dir.resolve("shared.sock");
    }

    private static ListenerConfig listener(String name, Path path, String mode, Exposure exposure) {
        return ConfigFixtures.listener(name, path, mode, exposure);
    }

    private RouteConfig routeTo(String name, String host) {
        Path socket = dir.resolve(name + ".sock");
        upstreams.add(TestUpstream.onUnixSocket(name, socket));
        return route(name, host, socket);
    }

    private static RouteConfig route(String name, String host, Path socket) {
        return ConfigFixtures.route(name, host, null, socket);
    }

    /** The running configuration with other listeners and routes, as an edited file would give. */
    private static GatewayConfig with(GatewayConfig base, List<ListenerConfig> listeners, List<RouteConfig> routes) {
        return new GatewayConfig(
                listeners,
                base.shutdownTimeout(),
                base.idleTimeout(),
                base.headerTimeout(),
                base.history(),
                routes,
                base.stateFile(),
                base.fastPath(),
                base.accessLog(),
                base.logFormat(),
                base.watchConfig());
    }

    /** The connections listed open on a listener, once they are {@code expected} (or after 5 s). */
    private long openOn(String listener, long expected) throws InterruptedException {
        long open = -1;
        for (int tries = 0; tries < 50 && open != expected; tries++) {
            if (tries > 0) {
                Thread.sleep(100);
            }
            open =
                    Api.over(admin())
                            .get("/v1/connections")
                            .then()
                            .extract()
                            .jsonPath()
                            .getList("listener", String.class)
                            .stream()
                            .filter(listener::equals)
                            .count();
        }
        return open;
    }

    @Test
    void aListenerRemovedLosesItsSocketFileAndAnExposureNarrowedNoLongerOffersTheRoute() throws Exception {
        RouteConfig billing = routeTo("billing", "billing");
        RouteConfig users = routeTo("users", "users");
        ListenerConfig shared = listener("shared", shared(), "0660", Exposure.EVERYTHING);
        TestServer.Builder builder = TestServer.on(admin())
                .routes(List.of(billing, users))
                .listener(shared)
                .reloadFrom(next::get);
        GatewayConfig started = builder.config();
        server = builder.start();
        ListenerConfig main = started.listeners().get(0);
        try (RawHttp kept = RawHttp.connect(admin());
                RawHttp onShared = RawHttp.connect(shared())) {
            assertThat(kept.exchange("GET", "/_ping").status()).isEqualTo(200);
            assertThat(onShared.exchange("GET", "/_ping").status()).isEqualTo(200);
            assertThat(openOn("shared", 1)).isEqualTo(1);
            Api.unchecked(admin()).header("Host", "users").get("/").then().statusCode(200);
            next.set(with(
                    started,
                    List.of(new ListenerConfig(
                            main.name(),
                            main.socketPath(),
                            main.mode(),
                            main.group(),
                            main.backlog(),
                            main.limits(),
                            main.owner(),
                            new Exposure(Exposure.Api.FULL, Optional.of(Set.of("billing"))))),
                    List.of(billing, users)));

            Api.over(admin())
                    .post("/v1/reload")
                    .then()
                    .statusCode(200)
                    .body("listeners.removed", equalTo(List.of("shared")))
                    .body("listeners.changed", equalTo(List.of("main")))
                    .body("listeners.added", equalTo(List.of()))
                    .body("routes.added", equalTo(List.of()))
                    .body("failed", equalTo(List.of()));

            assertThat(shared()).doesNotExist();
            assertThat(SocketFixtures.connects(shared())).isFalse();
            assertThat(openOn("shared", 0))
                    .as("the removed listener's connections close, and none is listed")
                    .isEqualTo(0);
            Api.unchecked(admin()).header("Host", "users").get("/").then().statusCode(404);
            Api.unchecked(admin()).header("Host", "billing").get("/").then().statusCode(200);
            Api.over(admin()).get("/v1/sockets").then().body("listener", equalTo(List.of("main")));
            assertThat(kept.exchange("GET", "/_ping").status())
                    .as("a kept listener's connection stays open")
                    .isEqualTo(200);
        }
    }

    @Test
    void aListenerAndARouteAddedServeAtOnceAndTheEventSaysWhat() throws Exception {
        TestServer.Builder builder = TestServer.on(admin()).reloadFrom(next::get);
        GatewayConfig started = builder.config();
        server = builder.start();
        RouteConfig billing = routeTo("billing", "billing");
        next.set(with(
                started,
                List.of(started.listeners().get(0), listener("shared", shared(), "0600", Exposure.EVERYTHING)),
                List.of(billing)));

        Api.over(admin())
                .post("/v1/reload")
                .then()
                .statusCode(200)
                .body("listeners.added", equalTo(List.of("shared")))
                .body("routes.added", equalTo(List.of("billing")));

        assertThat(SocketFixtures.permissions(shared())).isEqualTo("rw-------");
        try (RawHttp open = RawHttp.connect(shared())) {
            assertThat(open.exchange("GET", "/_ping").status()).isEqualTo(200);
            Api.over(admin())
                    .get("/v1/connections?listener=shared")
                    .then()
                    .body("listener", equalTo(List.of("shared")))
                    .body("requests", equalTo(List.of(1)));
        }
        Api.unchecked(shared()).header("Host", "billing").get("/").then().statusCode(200);
        Api.over(shared()).get("/v1/socket").then().body("listener", equalTo("shared"));
        Api.over(admin())
                .get("/v1/events?since=0&until=" + (System.currentTimeMillis() / 1000 + 1) + "&type=config.reloaded")
                .then()
                .statusCode(200)
                .body(containsString("\"added\":[\"shared\"]"));
    }

    @Test
    void aConfigurationThatCannotBeAppliedWholeIsRefusedWithItsErrorsAndNothingChanges() {
        TestServer.Builder builder = TestServer.on(admin()).reloadFrom(next::get);
        GatewayConfig started = builder.config();
        server = builder.start();
        // A new listener, and a route to its socket: applied, it would loop.
        next.set(with(
                started,
                List.of(started.listeners().get(0), listener("shared", shared(), "0660", Exposure.EVERYTHING)),
                List.of(route("loop", "loop", shared()))));

        Api.over(admin())
                .post("/v1/reload")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("reload refused, the running configuration stays"))
                .body("errors.path", equalTo(List.of("routes[0].upstreams[0]")))
                .body("errors[0].reason", containsString("is udsgate's own socket"));

        assertThat(shared()).doesNotExist();
        Api.over(admin()).get("/v1/routes").then().body("size()", equalTo(0));
    }

    @Test
    void aFileThatDoesNotLoadIsRefusedWithTheLoadersErrors() throws Exception {
        Path file = dir.resolve("udsgate.yaml");
        Files.writeString(file, "idleTimeout: soon\nrouts: []\n");
        server = TestServer.on(admin())
                .reloadFrom(() -> {
                    ConfigFileLoader.load(file);
                    throw new AssertionError("the file should not load");
                })
                .start();

        Api.over(admin())
                .post("/v1/reload")
                .then()
                .statusCode(400)
                .body("errors.path", hasItem("idleTimeout"))
                .body("errors.path", hasItem("routs"));
        Api.over(admin()).get("/_ping").then().statusCode(200);
    }

    @Test
    void aListenerWhosePathChangedIsReplacedByANewSocket() {
        ListenerConfig shared = listener("shared", shared(), "0660", Exposure.EVERYTHING);
        TestServer.Builder builder = TestServer.on(admin()).listener(shared).reloadFrom(next::get);
        GatewayConfig started = builder.config();
        server = builder.start();
        Path moved = dir.resolve("moved.sock");
        next.set(with(
                started,
                List.of(started.listeners().get(0), listener("shared", moved, "0660", Exposure.EVERYTHING)),
                List.of()));

        Api.over(admin())
                .post("/v1/reload")
                .then()
                .statusCode(200)
                .body("listeners.replaced", equalTo(List.of("shared")))
                .body("listeners.changed", equalTo(List.of()));

        assertThat(shared()).doesNotExist();
        Api.over(moved)
                .get("/v1/socket")
                .then()
                .body("listener", equalTo("shared"))
                .body("path", equalTo(moved.toString()));
    }

    @Test
    void withoutAConfigurationFileThereIsNothingToReload() {
        server = TestServer.start(admin());

        Api.over(admin())
                .post("/v1/reload")
                .then()
                .statusCode(409)
                .body("detail", equalTo("nothing to reload: udsgate was started without --config"));
    }

    @Test
    void aReadOnlyListenerRefusesTheReload() {
        server = TestServer.on(admin())
                .listener(listener("shared", shared(), "0660", new Exposure(Exposure.Api.READ_ONLY, Optional.empty())))
                .reloadFrom(next::get)
                .start();

        Api.over(shared()).post("/v1/reload").then().statusCode(403);
        Api.over(admin()).get("/v1/reload").then().statusCode(405);
    }

    @Test
    void aModeChangedIsAppliedToTheLiveSocketAndItsConnectionsStay() throws Exception {
        TestServer.Builder builder = TestServer.on(admin()).reloadFrom(next::get);
        GatewayConfig started = builder.config();
        server = builder.start();
        long inode = SocketFixtures.inode(admin());
        ListenerConfig main = started.listeners().get(0);
        next.set(with(started, List.of(main.withPermissions(FileMode.parse("0600"), Optional.empty())), List.of()));

        try (RawHttp kept = RawHttp.connect(admin())) {
            Api.over(admin())
                    .post("/v1/reload")
                    .then()
                    .statusCode(200)
                    .body("listeners.changed", equalTo(List.of("main")));

            assertThat(SocketFixtures.permissions(admin())).isEqualTo("rw-------");
            assertThat(SocketFixtures.inode(admin())).isEqualTo(inode);
            assertThat(kept.exchange("GET", "/_ping").status()).isEqualTo(200);
        }
    }

    @Test
    void settingsOnlyARestartAppliesAreNamedAndKept() {
        TestServer.Builder builder = TestServer.on(admin()).reloadFrom(next::get);
        GatewayConfig started = builder.config();
        server = builder.start();
        next.set(new GatewayConfig(
                started.listeners(),
                started.shutdownTimeout(),
                Duration.ofSeconds(7),
                started.headerTimeout(),
                started.history(),
                started.routes(),
                started.stateFile(),
                !started.fastPath(),
                started.accessLog(),
                dev.udsgate.config.LogFormat.JSON,
                started.watchConfig()));

        Api.over(admin())
                .post("/v1/reload")
                .then()
                .statusCode(200)
                .body("atNextStart", equalTo(List.of("idleTimeout", "fastPath", "logFormat")))
                .body("listeners.changed", equalTo(List.of()));
    }
}
