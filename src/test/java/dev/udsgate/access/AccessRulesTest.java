package dev.udsgate.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import dev.udsgate.config.AccessPolicy;
import dev.udsgate.config.ConfigFile;
import dev.udsgate.config.ConfigFileLoader;
import dev.udsgate.config.ConnectionLimits;
import dev.udsgate.config.Exposure;
import dev.udsgate.config.FileMode;
import dev.udsgate.config.GatewayConfig;
import dev.udsgate.config.ListenerConfig;
import dev.udsgate.config.ListenerDocument;
import dev.udsgate.config.LogFormat;
import dev.udsgate.config.RouteConfig;
import dev.udsgate.log.LineEncoder;
import dev.udsgate.testing.Api;
import dev.udsgate.testing.ConfigFixtures;
import dev.udsgate.testing.RawHttp;
import dev.udsgate.testing.SocketFixtures;
import dev.udsgate.testing.TestServer;
import dev.udsgate.testing.TestUpstream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Access rules over the real socket: the read-only Docker recipe against an upstream on a Unix
 * socket, path tricks, peers by uid, audit mode, admin writes, and rules that reload.
 */
class AccessRulesTest {

    @TempDir
    Path dir;

    TestServer server;
    TestUpstream upstream;
    final ByteArrayOutputStream audit = new ByteArrayOutputStream();
    private final OutputStreamAppender<ILoggingEvent> auditCopy = new OutputStreamAppender<>();

    /** The audit log, as an operator reads it: its lines as the log writes them, copied for the test. */
    @BeforeEach
    void captureAuditLog() {
        Logger log = (Logger) LoggerFactory.getLogger("dev.udsgate.access.AUDIT");
        LineEncoder encoder = new LineEncoder(LogFormat.TEXT);
        encoder.setContext(log.getLoggerContext());
        encoder.start();
        auditCopy.setContext(log.getLoggerContext());
        auditCopy.setEncoder(encoder);
        auditCopy.setOutputStream(audit);
        auditCopy.start();
        log.addAppender(auditCopy);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger("dev.udsgate.access.AUDIT")).detachAppender(auditCopy);
        auditCopy.stop();
        if (server != null) {
            server.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private String auditLog() {
        synchronized (audit) {
            return audit.toString(StandardCharsets.UTF_8);
        }
    }

    private Path docker() {
        return dir.resolve("docker.sock");
    }

    private Path admin() {
        return dir.resolve("admin.sock");
    }

    /** The recipe's docker listener and route, on this test's paths and this test's upstream. */
    private TestServer.Builder recipe(Path folder) {
        ConfigFile recipe = ConfigFileLoader.load(Path.of("docker/read-only-docker.yaml"));
        ListenerDocument shared = recipe.listeners().get(1);
        Path daemon = dir.resolve("daemon.sock");
        upstream = TestUpstream.onUnixSocket("daemon", daemon);
        RouteConfig route = ConfigFixtures.route("docker", null, "/", "0s", "unix:" + daemon);
        return TestServer.on(folder.resolve("admin.sock"))
                .mode(FileMode.parse("0600"))
                .routes(List.of(route))
                .listener(
                        listener("docker", folder.resolve("docker.sock"), "0666", shared.exposure(), shared.access()));
    }

    private static ListenerConfig listener(
            String name, Path path, String mode, Exposure exposure, AccessPolicy access) {
        return new ListenerConfig(
                name,
                path,
                FileMode.parse(mode),
                Optional.empty(),
                ListenerConfig.DEFAULT_BACKLOG,
                ConnectionLimits.defaults(),
                Optional.empty(),
                exposure,
                access);
    }

    @Test
    void theReadOnlyDockerRecipeLetsReadsThroughAndRefusesEverythingElse() throws Exception {
        server = recipe(dir).start();

        try (RawHttp client = RawHttp.connect(docker())) {
            for (String path : List.of(
                    "/_ping",
                    "/version",
                    "/v1.41/info",
                    "/containers/json",
                    "/v1.41/containers/json",
                    "/containers/abc/json",
                    "/v1.43/containers/abc/json",
                    "/images/json",
                    "/events",
                    "/networks",
                    "/v1.41/volumes")) {
                RawHttp.Answer answer = client.exchange("GET", path);
                assertThat(answer.status()).as(path).isEqualTo(200);
                assertThat(answer.body()).as(path).contains("\"upstream\":\"daemon\"");
            }
        }
        Api.unchecked(docker()).head("/v1.41/containers/json").then().statusCode(200);
        long reached = upstream.requests();

        try (RawHttp client = RawHttp.connect(docker())) {
            for (String[] refused : List.of(
                    new String[] {"POST", "/containers/create"},
                    new String[] {"POST", "/v1.41/containers/abc/start"},
                    new String[] {"DELETE", "/containers/abc"},
                    new String[] {"GET", "/containers/abc/archive"},
                    new String[] {"GET", "/v1.41/containers/abc/export"},
                    new String[] {"GET", "/containers/abc/logs"},
                    new String[] {"GET", "/containers/x/../x/archive"},
                    new String[] {"GET", "/containers/json/../abc/archive"},
                    new String[] {"GET", "/v1.41/../containers/abc/export"},
                    new String[] {"GET", "/v1.41/v1.41/containers/json"},
                    new String[] {"GET", "/v1/policy"})) {
                RawHttp.Answer answer = client.exchange(refused[0], refused[1]);
                assertThat(answer.status()).as(refused[0] + " " + refused[1]).isEqualTo(403);
                assertThat(answer.header("content-type")).startsWith("application/problem+json");
                assertThat(answer.body())
                        .contains("on listener docker may not " + refused[0])
                        .doesNotContain("rule");
            }
        }
        // Paths that could be read two ways never reach a rule, let alone the daemon.
        for (String ambiguous : List.of(
                "/containers/abc%2Farchive",
                "/containers/abc/%2e%2e/abc/archive", "/containers//abc/archive", "/containers/abc/archive;x=1")) {
            try (RawHttp client = RawHttp.connect(docker())) {
                assertThat(client.exchange("GET", ambiguous).status())
                        .as(ambiguous)
                        .isEqualTo(400);
            }
        }
        assertThat(upstream.requests()).isEqualTo(reached);
        assertThat(auditLog())
                .contains("listener=docker", "method=GET path=/containers/abc/archive route=docker decision=deny")
                .contains("rule=1 reason=denied-by-rule");
    }

    @Test
    void aDenialNamesThePeerAndIsAnEvent() throws Exception {
        server = recipe(dir).start();

        Api.unchecked(docker())
                .post("/containers/create")
                .then()
                .statusCode(403)
                .contentType("application/problem+json")
                .body("detail", containsString("uid 0 (root) on listener docker may not POST /containers/create"));

        Api.over(admin())
                .get("/v1/events?since=0&until=" + (System.currentTimeMillis() / 1000 + 1) + "&type=access.denied")
                .then()
                .statusCode(200)
                .body(containsString("\"listener\":\"docker\""))
                .body(containsString(
                        "\"method\":\"POST\",\"path\":\"/containers/create\",\"rule\":1,\"mode\":\"enforce\""));
    }

    @Test
    void anAuditedListenerLetsThroughWhatItsRulesDenyAndLogsIt() throws Exception {
        ConfigFile file = ConfigFileLoader.load(write("""
                listeners:
                  - name: x
                    path: /run/x.sock
                    access: audit
                    rules:
                      - allow: {methods: [GET], paths: [/_ping]}
                """));
        server = TestServer.on(admin())
                .listener(listener(
                        "audited",
                        docker(),
                        "0660",
                        Exposure.EVERYTHING,
                        file.listeners().get(0).access()))
                .start();

        Api.over(docker()).get("/v1/version").then().statusCode(200);
        Api.over(docker()).get("/_ping").then().statusCode(200);

        assertThat(auditLog())
                .contains("listener=audited", "method=GET path=/v1/version route=- decision=audit-deny rule=-")
                .doesNotContain("path=/_ping");
        Api.over(admin())
                .get("/v1/events?since=0&until=" + (System.currentTimeMillis() / 1000 + 1) + "&type=access.denied")
                .then()
                .body(containsString("\"path\":\"/v1/version\",\"rule\":null,\"mode\":\"audit\""));
    }

    @Test
    void theRulesAreShownOnlyWhereTheWholeApiIs() {
        server = TestServer.on(admin())
                .listener(listener(
                        "shared",
                        docker(),
                        "0660",
                        new Exposure(Exposure.Api.READ_ONLY, Optional.empty()),
                        AccessPolicy.OPEN))
                .start();

        Api.over(docker())
                .get("/v1/policy")
                .then()
                .statusCode(403)
                .body("detail", containsString("listener shared does not show the access rules"));
        Api.over(admin()).get("/v1/policy").then().statusCode(200).body("listeners[0].rules.size()", equalTo(0));
    }

    @Test
    void anAdminWriteIsAuditedAndAnEvent() {
        server = TestServer.on(admin()).start();

        Api.over(admin())
                .contentType("application/json")
                .body("{\"host\":\"x\",\"upstreams\":[\"unix:/run/x.sock\"]}")
                .put("/v1/routes/x")
                .then()
                .statusCode(201);

        assertThat(auditLog()).contains("listener=main", "uid=0", "method=PUT path=/v1/routes/x", "decision=allow");
        Api.over(admin())
                .get("/v1/events?since=0&until=" + (System.currentTimeMillis() / 1000 + 1) + "&type=admin.write")
                .then()
                .body(containsString("\"data\":{\"method\":\"PUT\",\"path\":\"/v1/routes/x\"}"));
    }

    /** Nobody may read on a 0666 listener with the whole API, but not write: that is the admin's. */
    @Test
    void adminWritesAreRefusedToOthersEvenOnAFullListenerWithoutRules() throws Exception {
        assumeRootAndCurl();
        Path open = SocketFixtures.traversableFolder(dir);
        Path shared = open.resolve("shared.sock");
        server = TestServer.on(open.resolve("admin.sock"))
                .mode(FileMode.parse("0600"))
                .listener(listener("shared", shared, "0666", Exposure.EVERYTHING, AccessPolicy.OPEN))
                .start();

        assertThat(curlAsNobody(shared, "GET", "/v1/routes")).startsWith("200");
        String put = curlAsNobody(shared, "PUT", "/v1/routes/x");
        assertThat(put).startsWith("403").contains("uid 65534 (nobody) on listener shared may not PUT /v1/routes/x");
        assertThat(curlAsNobody(shared, "POST", "/v1/reload")).startsWith("403");
        assertThat(curlAsNobody(shared, "DELETE", "/v1/connections/1")).startsWith("403");
        assertThat(curlAsNobody(shared, "PATCH", "/v1/sockets/shared")).startsWith("403");

        assertThat(auditLog())
                .contains("listener=shared", "uid=65534 gid=65534 method=PUT path=/v1/routes/x route=- decision=deny")
                .contains("reason=admin-only");
    }

    @Test
    void rulesMatchThePeersUidAndNobodyIsDeniedWhatRootMayDo() throws Exception {
        assumeRootAndCurl();
        Path open = SocketFixtures.traversableFolder(dir);
        Path shared = open.resolve("shared.sock");
        ConfigFile file = ConfigFileLoader.load(write("""
                listeners:
                  - name: x
                    path: /run/x.sock
                    rules:
                      - allow: {uid: 0}
                      - allow: {user: nobody, methods: [GET], paths: [/_ping, /v1/socket]}
                      - deny: {user: nobody, paths: [/v1/**]}
                """));
        server = TestServer.on(open.resolve("admin.sock"))
                .listener(listener(
                        "shared",
                        shared,
                        "0666",
                        Exposure.EVERYTHING,
                        file.listeners().get(0).access()))
                .start();

        assertThat(curlAsNobody(shared, "GET", "/_ping")).startsWith("200");
        assertThat(curlAsNobody(shared, "GET", "/v1/socket")).startsWith("200");
        assertThat(curlAsNobody(shared, "HEAD", "/_ping")).startsWith("403");
        assertThat(curlAsNobody(shared, "GET", "/v1/connections")).startsWith("403");
        Api.over(shared).get("/v1/connections").then().statusCode(200);
        assertThat(auditLog())
                .contains("uid=65534 gid=65534 method=GET path=/v1/connections route=- decision=deny rule=2")
                // curl's own pid, from the kernel
                .containsPattern("connection=\\d+ pid=[1-9]\\d* uid=65534 gid=65534 method=GET path=/v1/connections");
    }

    @Test
    void rulesReloadWithTheConfigAndApplyToConnectionsAlreadyOpen() throws Exception {
        AtomicReference<GatewayConfig> next = new AtomicReference<>();
        ConfigFile denyVersion = ConfigFileLoader.load(write("""
                listeners:
                  - name: x
                    path: /run/x.sock
                    rules:
                      - deny: {paths: [/v1/version]}
                      - allow: {}
                """));
        TestServer.Builder builder = TestServer.on(admin())
                .listener(listener(
                        "shared",
                        docker(),
                        "0660",
                        Exposure.EVERYTHING,
                        denyVersion.listeners().get(0).access()))
                .reloadFrom(next::get);
        GatewayConfig started = builder.config();
        server = builder.start();

        String before = Api.over(admin())
                .get("/v1/policy")
                .then()
                .statusCode(200)
                .body("listeners.listener", equalTo(List.of("main", "shared")))
                .body("listeners[1].access", equalTo("enforce"))
                .body("listeners[1].rules.decision", equalTo(List.of("deny", "allow")))
                .body("listeners[1].rules[0].paths", equalTo(List.of("/v1/version")))
                .extract()
                .path("version");
        try (RawHttp kept = RawHttp.connect(docker())) {
            assertThat(kept.exchange("GET", "/v1/version").status()).isEqualTo(403);
            next.set(new GatewayConfig(
                    List.of(
                            started.listeners().get(0),
                            started.listeners()
                                    .get(1)
                                    .withPermissions(FileMode.parse("0660"), Optional.empty())
                                    .withAccess(AccessPolicy.OPEN)),
                    started.shutdownTimeout(),
                    started.idleTimeout(),
                    started.headerTimeout(),
                    started.history(),
                    started.routes(),
                    started.stateFile(),
                    started.fastPath(),
                    started.accessLog(),
                    started.logFormat(),
                    started.watchConfig()));
            Api.over(admin())
                    .post("/v1/reload")
                    .then()
                    .statusCode(200)
                    .body("listeners.changed", equalTo(List.of("shared")));
            assertThat(kept.exchange("GET", "/v1/version").status()).isEqualTo(200);
        }
        String after = Api.over(admin())
                .get("/v1/policy")
                .then()
                .statusCode(200)
                .body("listeners[1].rules.size()", equalTo(0))
                .extract()
                .path("version");
        assertThat(after).isNotEqualTo(before);
        assertThat(Api.over(admin()).get("/v1/policy").then().extract().<String>path("version"))
                .isEqualTo(after);
    }

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("rules.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static void assumeRootAndCurl() {
        assumeTrue(SocketFixtures.isRoot(), "runs a client as nobody, which needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "needs curl");
    }

    /** @return the status, a space, and the body */
    private static String curlAsNobody(Path socket, String method, String path)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", "curl", "-s", "--max-time", "5"));
        command.addAll(method.equals("HEAD") ? List.of("-I", "-o", "/dev/null") : List.of("-X", method, "-o", "-"));
        command.addAll(List.of("--unix-socket", socket.toString(), "-w", "%{http_code}", "http://localhost" + path));
        Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(curl.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        // the body first, then the status: put the status first
        return out.length() >= 3 ? out.substring(out.length() - 3) + " " + out.substring(0, out.length() - 3) : out;
    }
}
