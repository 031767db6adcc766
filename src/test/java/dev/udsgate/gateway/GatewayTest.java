package dev.udsgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.udsgate.config.FieldError;
import dev.udsgate.config.RouteConfig;
import dev.udsgate.config.RouteDocument;
import dev.udsgate.config.RouteRules;
import dev.udsgate.testing.Api;
import dev.udsgate.testing.RawHttp;
import dev.udsgate.testing.TestServer;
import dev.udsgate.testing.TestUpstream;
import io.restassured.response.Response;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests through the gateway to real upstreams, on Unix sockets and loopback TCP. */
class GatewayTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private TestServer server;

    @AfterEach
    void closeAll() throws Exception {
        if (server != null) {
            server.close();
        }
        for (AutoCloseable closeable : closeAfter) {
            closeable.close();
        }
    }

    private TestUpstream unixUpstream(String name) {
        TestUpstream upstream = TestUpstream.onUnixSocket(name, dir.resolve(name + ".sock"));
        closeAfter.add(upstream);
        return upstream;
    }

    private TestUpstream tcpUpstream(String name) {
        TestUpstream upstream = TestUpstream.onLoopback(name);
        closeAfter.add(upstream);
        return upstream;
    }

    /** A route written as in a config file, checked by the same rules. */
    static RouteConfig route(
            String name,
            String host,
            String prefix,
            Boolean strip,
            String responseTimeout,
            RouteDocument.HealthCheckDocument check,
            String... upstreams) {
        List<FieldError> errors = new ArrayList<>();
        return RouteRules.check(
                        new RouteDocument(name, host, prefix, strip, List.of(upstreams), null, responseTimeout, check),
                        "",
                        errors)
                .orElseThrow(() -> new AssertionError(errors));
    }

    private void start(RouteConfig... routes) {
        server = TestServer.on(dir.resolve("udsgate.sock"))
                .routes(List.of(routes))
                .start();
    }

    private JsonNode echo(Response response) throws Exception {
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        return JSON.readTree(response.asString());
    }

    @Test
    void hostRoutesToAUnixSocketUpstream() throws Exception {
        unixUpstream("billing");
        start(route("billing", "billing", null, null, null, null, "unix:" + dir.resolve("billing.sock")));

        JsonNode seen =
                echo(Api.unchecked(server.socket()).header("Host", "billing").get("/invoices?month=11"));

        assertThat(seen.get("upstream").asText()).isEqualTo("billing");
        assertThat(seen.get("path").asText()).isEqualTo("/invoices");
        assertThat(seen.get("query").asText()).isEqualTo("month=11");
        assertThat(seen.at("/headers/host").asText()).isEqualTo("billing");
        server.api()
                .header("Host", "payroll")
                .get("/invoices")
                .then()
                .statusCode(404)
                .body("detail", containsString("no route for host payroll"));
    }

    @Test
    void pathPrefixRoutesToLoopbackTcpAndCanStripThePrefix() throws Exception {
        TestUpstream users = tcpUpstream("users");
        start(route("users", null, "/api", true, null, null, "http://127.0.0.1:" + users.port()));

        JsonNode seen = echo(Api.unchecked(server.socket()).get("/api/users/7?full=1"));
        assertThat(seen.get("path").asText()).isEqualTo("/users/7");
        assertThat(seen.get("query").asText()).isEqualTo("full=1");
        assertThat(echo(Api.unchecked(server.socket()).get("/api")).get("path").asText())
                .isEqualTo("/");
        server.api().get("/apix").then().statusCode(404);
    }

    @Test
    void wildcardHostsAndTheMostSpecificRouteWin() throws Exception {
        unixUpstream("any");
        unixUpstream("internal");
        unixUpstream("exact");
        start(
                route("any", null, "/", null, null, null, "unix:" + dir.resolve("any.sock")),
                route("internal", "*.internal", null, null, null, null, "unix:" + dir.resolve("internal.sock")),
                route("exact", "db.internal", null, null, null, null, "unix:" + dir.resolve("exact.sock")));

        assertThat(echo(Api.unchecked(server.socket())
                                .header("Host", "svc.internal")
                                .get("/"))
                        .get("upstream")
                        .asText())
                .isEqualTo("internal");
        assertThat(echo(Api.unchecked(server.socket())
                                .header("Host", "db.internal")
                                .get("/"))
                        .get("upstream")
                        .asText())
                .isEqualTo("exact");
        assertThat(echo(Api.unchecked(server.socket())
                                .header("Host", "internal")
                                .get("/"))
                        .get("upstream")
                        .asText())
                .isEqualTo("any");
        server.api()
                .header("Host", "svc.internal")
                .get("/_ping")
                .then()
                .statusCode(200)
                .body(equalTo("OK"));
    }

    @Test
    void hopByHopHeadersStopAtTheGatewayAndForwardingIsSaid() throws Exception {
        unixUpstream("echo");
        start(route("echo", "echo", null, null, null, null, "unix:" + dir.resolve("echo.sock")));

        Response response = Api.unchecked(server.socket())
                .header("Host", "echo")
                .header("Connection", "X-Private")
                .header("X-Private", "secret")
                .header("Keep-Alive", "timeout=5")
                .header("X-Kept", "yes")
                .get("/headers");
        JsonNode headers = echo(response).get("headers");

        assertThat(headers.has("x-private")).isFalse();
        assertThat(headers.has("keep-alive")).isFalse();
        assertThat(headers.get("x-kept").asText()).isEqualTo("yes");
        assertThat(headers.get("x-forwarded-host").asText()).isEqualTo("echo");
        assertThat(headers.get("x-forwarded-proto").asText()).isEqualTo("http");
        assertThat(headers.get("forwarded").asText()).contains("for=unknown").contains("host=\"echo\"");
        assertThat(headers.get("via").asText()).contains("udsgate");
        assertThat(response.getHeader("X-Hop"))
                .as("a header the upstream listed in Connection")
                .isNull();
    }

    @Test
    void requestsGoRoundRobinAmongUpstreams() throws Exception {
        unixUpstream("a");
        unixUpstream("b");
        start(route(
                "pair",
                "pair",
                null,
                null,
                null,
                null,
                "unix:" + dir.resolve("a.sock"),
                "unix:" + dir.resolve("b.sock")));

        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            seen.add(echo(Api.unchecked(server.socket()).header("Host", "pair").get("/"))
                    .get("upstream")
                    .asText());
        }
        assertThat(seen).containsOnly("a", "b");
        assertThat(seen.stream().filter("a"::equals).count()).isEqualTo(3);
        for (int i = 1; i < seen.size(); i++) {
            assertThat(seen.get(i)).isNotEqualTo(seen.get(i - 1));
        }
    }

    @Test
    void aConnectFailureIsRetriedOnceOnAnotherUpstream() throws Exception {
        unixUpstream("alive");
        start(route(
                "half",
                "half",
                null,
                null,
                null,
                null,
                "unix:" + dir.resolve("missing.sock"),
                "unix:" + dir.resolve("alive.sock")));

        for (int i = 0; i < 4; i++) {
            assertThat(echo(Api.unchecked(server.socket())
                                    .header("Host", "half")
                                    .get("/"))
                            .get("upstream")
                            .asText())
                    .isEqualTo("alive");
        }
        // A request with a body is not replayed: it may fail, but only with a clean 502.
        Set<Integer> statuses = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            statuses.add(Api.unchecked(server.socket())
                    .header("Host", "half")
                    .body("x")
                    .post("/upload")
                    .statusCode());
        }
        assertThat(statuses).isSubsetOf(Set.of(200, 502));
    }

    @Test
    void aMissingUpstreamSocketIsA502ThatNamesTheRouteOnly() {
        start(route("gone", "gone", null, null, null, null, "unix:" + dir.resolve("nothing-here.sock")));

        server.api()
                .header("Host", "gone")
                .get("/x")
                .then()
                .statusCode(502)
                .contentType("application/problem+json")
                .body("detail", containsString("route gone"))
                .body("detail", not(containsString("nothing-here.sock")));
    }

    @Test
    void aRefusedTcpUpstreamIsA502() throws Exception {
        int closedPort;
        try (var probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        start(route("refused", "refused", null, null, null, null, "http://127.0.0.1:" + closedPort));

        server.api()
                .header("Host", "refused")
                .get("/")
                .then()
                .statusCode(502)
                .body("detail", containsString("route refused"));
    }

    @Test
    void anUpstreamSlowerThanTheResponseTimeoutIsA504() {
        unixUpstream("slow");
        start(route("slow", "slow", null, null, "300ms", null, "unix:" + dir.resolve("slow.sock")));

        server.api()
                .header("Host", "slow")
                .get("/slow?ms=5000")
                .then()
                .statusCode(504)
                .body("detail", containsString("route slow: the upstream did not answer within 300ms"));
    }

    @Test
    void anUpstreamThatSendsGarbageIsA502AndTheGatewayStaysUp() throws Exception {
        Path socket = dir.resolve("garbage.sock");
        ServerSocketChannel garbage = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        garbage.bind(UnixDomainSocketAddress.of(socket));
        closeAfter.add(garbage);
        Thread answerer = new Thread(() -> {
            while (garbage.isOpen()) {
                try (SocketChannel client = garbage.accept()) {
                    client.read(ByteBuffer.allocate(4096));
                    client.write(ByteBuffer.wrap("NOT HTTP AT ALL\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
                } catch (Exception closed) {
                    return;
                }
            }
        });
        answerer.setDaemon(true);
        answerer.start();
        start(route("garbage", "garbage", null, null, null, null, "unix:" + socket));

        server.api().header("Host", "garbage").get("/").then().statusCode(502);
        server.api().get("/_ping").then().statusCode(200);
    }

    @Test
    void anUpstreamDyingMidResponseCutsOnlyThatResponse() throws Exception {
        unixUpstream("dies");
        start(route("dies", "dies", null, null, null, null, "unix:" + dir.resolve("dies.sock")));

        try (RawHttp client = RawHttp.connect(server.socket())) {
            client.send(RawHttp.request("GET", "/die?after=1000", "Host: dies"));
            RawHttp.Head head = client.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.headers().get("content-length")).isEqualTo("10000");
            long received = 0;
            while (!client.isClosedByServer()) {
                received++;
            }
            assertThat(received).isLessThan(10_000);
        }
        server.api().get("/_ping").then().statusCode(200);
    }
}
