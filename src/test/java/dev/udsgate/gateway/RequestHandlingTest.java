package dev.udsgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.udsgate.config.IdentityForwarding;
import dev.udsgate.config.RouteConfig;
import dev.udsgate.testing.ApiContract;
import dev.udsgate.testing.RawHttp;
import dev.udsgate.testing.ScriptedUpstream;
import dev.udsgate.testing.ScriptedUpstream.Reply;
import dev.udsgate.testing.TestServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the gateway does with requests a well-behaved client rarely sends, and answers a
 * well-behaved upstream never gives: on both transports, a bodiless request (the fast path) and
 * one with a body (Jetty's proxy), each against an upstream scripted byte by byte.
 */
class RequestHandlingTest {

    /** The upstream's answer: 200, the request line it received as the body. */
    private static final ScriptedUpstream.Script ECHO_REQUEST_LINE = (connection, request, head) -> {
        String line = head.substring(0, head.indexOf("\r\n"));
        return Reply.of("HTTP/1.1 200 OK\r\nContent-Length: " + line.length() + "\r\n\r\n" + line);
    };

    @TempDir
    Path dir;

    private TestServer server;
    private ScriptedUpstream upstream;

    @AfterEach
    void closeAll() throws Exception {
        if (server != null) {
            server.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    /** A route "app" for host app, path prefix /api stripped, to a scripted upstream. */
    private void start(String responseTimeout, ScriptedUpstream.Script script) {
        Path socket = dir.resolve("upstream.sock");
        upstream = ScriptedUpstream.on(socket, script);
        server = TestServer.on(dir.resolve("udsgate.sock"))
                .routes(List.of(GatewayTest.route("app", "app", "/api", true, responseTimeout, null, "unix:" + socket)))
                .start();
    }

    /** Sends {@code method target} with a 4-byte body for POST, none for GET; reads the whole answer. */
    private RawHttp.Answer send(String method, String target, String... headers) throws IOException {
        try (RawHttp client = RawHttp.connect(server.socket())) {
            return send(client, method, target, headers);
        }
    }

    private static RawHttp.Answer send(RawHttp client, String method, String target, String... headers)
            throws IOException {
        String[] all = Arrays.copyOf(headers, headers.length + 2);
        all[headers.length] = "Host: app";
        all[headers.length + 1] = method.equals("POST") ? "Content-Length: 4" : "Accept: */*";
        client.send(RawHttp.request(method, target, all) + (method.equals("POST") ? "body" : ""));
        return client.readAnswer();
    }

    private static void assertProblem(RawHttp.Answer answer, int status) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        ApiContract.assertProblem(answer.header("content-type"), answer.body());
        assertThat(answer.body()).doesNotContain("Exception").doesNotContain("at dev.udsgate");
    }

    // 1. The path that matched is the path forwarded.

    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST"})
    void theCanonicalPathIsMatchedStrippedAndForwardedWithTheQueryUnchanged(String method) throws Exception {
        start(null, ECHO_REQUEST_LINE);

        assertThat(send(method, "/a/b/c/../../../api/users/q").body()).isEqualTo(method + " /users/q HTTP/1.1");
        assertThat(send(method, "/api/users/./7?x=a%2Fb&y=..").body())
                .isEqualTo(method + " /users/7?x=a%2Fb&y=.. HTTP/1.1");
        assertThat(send(method, "/%61pi/users/%7e").body()).isEqualTo(method + " /users/~ HTTP/1.1");
        assertThat(send(method, "/api").body()).isEqualTo(method + " / HTTP/1.1");
        assertThat(send(method, "/api/a%7cb").body()).isEqualTo(method + " /a%7Cb HTTP/1.1");
        if (method.equals("POST")) {
            assertThat(upstream.bodies()).containsOnly("body");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST"})
    void pathsThatAnUpstreamCouldReadOtherwiseAreRefusedWith400(String method) throws Exception {
        start(null, ECHO_REQUEST_LINE);

        for (String target : List.of(
                "/api;x/users",
                "/api/users;jsessionid=1",
                "/api/a%2Fb",
                "/api/%2e%2e/admin",
                "/api/../../etc",
                "/api/a%00")) {
            assertProblem(send(method, target), 400);
        }
        assertThat(upstream.heads()).as("nothing reached the upstream").isEmpty();
        assertThat(send(method, "/api/still/fine").status()).isEqualTo(200);
    }

    @Test
    void anAbsoluteFormTargetIsForwardedAsItsCanonicalPath() throws Exception {
        start(null, ECHO_REQUEST_LINE);

        assertThat(send("GET", "http://app/api/./x?q=1").body()).isEqualTo("GET /x?q=1 HTTP/1.1");
        System.out.println("EMPTY: " + send("GET", "http://app").status() + " STAR: "
                + send("OPTIONS", "*").status());
    }

    @Test
    void aPathOutsideEveryPrefixOnceCanonicalFindsNoRoute() throws Exception {
        start(null, ECHO_REQUEST_LINE);

        assertProblem(send("GET", "/api/../other"), 404);
        assertThat(upstream.heads()).isEmpty();
    }

    // 2. Expect: 100-continue, with an upstream that never sends 100.

    @Test
    void aClientThatWaitsFor100ContinueGetsItFromTheGatewayAndTheBodyReachesTheUpstream() throws Exception {
        start("3s", (connection, request, head) -> Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));

        try (RawHttp client = RawHttp.connect(server.socket())) {
            client.send(
                    RawHttp.request("POST", "/api/upload", "Host: app", "Content-Length: 5", "Expect: 100-continue"));
            // As curl does: the body only after the 100 (curl waits one second, then sends anyway).
            RawHttp.Head interim = within(client::readHead);
            assertThat(interim.status()).isEqualTo(100);
            client.send("hello");
            RawHttp.Answer answer = within(client::readAnswer);
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("ok");
        }
        assertThat(upstream.bodies()).containsExactly("hello");
        assertThat(upstream.heads().get(0).toLowerCase()).doesNotContain("expect:");
    }

    @Test
    void aClientThatSendsItsBodyWithoutWaitingFor100IsAnsweredToo() throws Exception {
        start("3s", (connection, request, head) -> Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));

        try (RawHttp client = RawHttp.connect(server.socket())) {
            client.send(RawHttp.request("PUT", "/api/upload", "Host: app", "Content-Length: 5", "Expect: 100-continue")
                    + "hello");
            RawHttp.Answer answer = within(() -> finalAnswer(client));
            assertThat(answer.status()).isEqualTo(200);
        }
        assertThat(upstream.bodies()).containsExactly("hello");
    }

    private static RawHttp.Answer finalAnswer(RawHttp client) throws IOException {
        while (true) {
            RawHttp.Answer answer = client.readAnswer();
            if (answer.status() >= 200) {
                return answer;
            }
        }
    }

    private interface Read<T> {
        T read() throws IOException;
    }

    /** What {@code read} returns, failing the test if it takes more than 2 s (less than the route's timeout). */
    private static <T> T within(Read<T> read) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
                    try {
                        return read.read();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                })
                .get(2, TimeUnit.SECONDS);
    }

    // 4. A client's bad chunked body is the client's error.

    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST"})
    void aClientsMalformedChunkedBodyIsA400NotA502(String method) throws Exception {
        start(null, ECHO_REQUEST_LINE);

        try (RawHttp client = RawHttp.connect(server.socket())) {
            client.send(RawHttp.request(method, "/api/upload", "Host: app", "Transfer-Encoding: chunked") + "zz\r\n");
            RawHttp.Answer answer = within(client::readAnswer);
            assertProblem(answer, 400);
            assertThat(answer.body()).contains("the request's body could not be read");
        }
    }

    // 5. An unsolicited 101.

    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST"})
    void anUnsolicited101IsABrokenAnswerAndNeverReachesTheClient(String method) throws Exception {
        start(
                null,
                (connection, request, head) ->
                        Reply.of("HTTP/1.1 101 Switching Protocols\r\nUpgrade: tcp\r\nConnection: Upgrade\r\n\r\n"
                                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));

        try (RawHttp client = RawHttp.connect(server.socket())) {
            RawHttp.Answer answer = within(() -> send(client, method, "/api/x"));
            assertProblem(answer, 502);
            assertThat(answer.body()).contains("route app");
        }
    }

    // 6. Identity headers: replaced or dropped, the same on both paths.

    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST"})
    void theClientsIdentityHeadersAreReplacedOrDropped(String method) throws Exception {
        start(null, ECHO_REQUEST_LINE);

        send(
                method,
                "/api/x",
                "X-Forwarded-For: 10.1.2.3",
                "X-Real-IP: 10.1.2.3",
                "X-Forwarded-Port: 443",
                "X-Forwarded-Proto: https",
                "X-Forwarded-Host: evil",
                "Forwarded: for=10.1.2.3",
                "X-Original-URL: /admin",
                "X-Kept: yes");

        List<String> lines = Arrays.asList(upstream.heads().get(0).toLowerCase().split("\r\n"));
        assertThat(lines)
                .noneMatch(line -> line.startsWith("x-forwarded-for:")
                        || line.startsWith("x-real-ip:")
                        || line.startsWith("x-forwarded-port:")
                        || line.startsWith("x-original-url:"))
                .contains("x-kept: yes", "x-forwarded-proto: http", "x-forwarded-host: app")
                .contains("forwarded: for=unknown;proto=http;host=\"app\"");
        assertThat(lines).filteredOn(line -> line.startsWith("forwarded:")).hasSize(1);
        assertThat(lines)
                .filteredOn(line -> line.startsWith("x-forwarded-proto:"))
                .hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST"})
    void theUpstreamLearnsTheCallersKernelIdentityAndNeverAForgedOne(String method) throws Exception {
        start(null, ECHO_REQUEST_LINE);

        String connectionId;
        try (RawHttp client = RawHttp.connect(server.socket())) {
            RawHttp.Answer self = client.exchange("GET", "/v1/connections/self");
            connectionId = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(self.body())
                    .get("id")
                    .asText();
            send(client, method, "/api/x", "Udsgate-Peer-Uid: 0", "udsgate-peer-user: root", "Udsgate-Connection: 1");
            // A second request on the same connection: the same identity again.
            send(client, method, "/api/y", "UDSGATE-PEER-PID: 1");
        }

        long uid = (Integer) java.nio.file.Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        for (String head : upstream.heads()) {
            List<String> ours = Arrays.stream(head.split("\r\n"))
                    .filter(line -> line.toLowerCase(java.util.Locale.ROOT).startsWith("udsgate-"))
                    .toList();
            assertThat(ours)
                    .containsExactlyInAnyOrder(
                            "Udsgate-Connection: " + connectionId,
                            "Udsgate-Listener: main",
                            "Udsgate-Peer-Uid: " + uid,
                            "Udsgate-Peer-User: " + System.getProperty("user.name"),
                            "Udsgate-Peer-Gid: " + java.nio.file.Files.getAttribute(Path.of("/proc/self"), "unix:gid"),
                            "Udsgate-Peer-Group: "
                                    + java.nio.file.Files.getAttribute(Path.of("/proc/self"), "posix:group")
                                            .toString(),
                            "Udsgate-Peer-Pid: " + ProcessHandle.current().pid());
        }
        assertThat(upstream.heads()).hasSize(2);
    }

    @Test
    void aRouteSendsTheProcessesIdentityOrNoneAsItSaysAndNeverAForgedOne() throws Exception {
        Path socket = dir.resolve("upstream.sock");
        upstream = ScriptedUpstream.on(socket, ECHO_REQUEST_LINE);
        server = TestServer.on(dir.resolve("udsgate.sock"))
                .routes(List.of(
                        identity(
                                GatewayTest.route("proc", "app", "/proc", false, null, null, "unix:" + socket),
                                IdentityForwarding.PROCESS),
                        identity(
                                GatewayTest.route("none", "app", "/none", false, null, null, "unix:" + socket),
                                IdentityForwarding.NONE)))
                .start();

        try (RawHttp client = RawHttp.connect(server.socket())) {
            send(client, "GET", "/proc/x", "Udsgate-Peer-Exe: /usr/bin/sudo", "Udsgate-Peer-Container: abc");
            send(client, "GET", "/none/x", "Udsgate-Peer-Uid: 0", "Udsgate-Peer-Process: known");
        }

        List<List<String>> ours = upstream.heads().stream()
                .map(head -> Arrays.stream(head.split("\r\n"))
                        .filter(line -> line.toLowerCase(java.util.Locale.ROOT).startsWith("udsgate-"))
                        .toList())
                .toList();
        assertThat(ours).hasSize(2);
        String exe = Path.of("/proc/self/exe").toRealPath().toString();
        assertThat(ours.get(0))
                .contains("Udsgate-Peer-Pid: " + ProcessHandle.current().pid())
                .contains("Udsgate-Peer-Process: known", "Udsgate-Peer-Exe: " + exe, "Udsgate-Peer-Command: java")
                .anyMatch(line -> line.startsWith("Udsgate-Peer-Groups: "))
                .noneMatch(line -> line.contains("/usr/bin/sudo") || line.startsWith("Udsgate-Peer-Container:"));
        assertThat(ours.get(1))
                .as("a route that sends no identity still drops the client's")
                .isEmpty();
    }

    private static RouteConfig identity(RouteConfig route, IdentityForwarding forwarding) {
        return new RouteConfig(
                route.name(),
                route.host(),
                route.pathPrefix(),
                route.stripPrefix(),
                route.upstreams(),
                route.connectTimeout(),
                route.responseTimeout(),
                route.healthCheck(),
                forwarding);
    }

    // 7. CONNECT and TRACE.

    @Test
    void connectIsRefusedWith405AndNeverForwarded() throws Exception {
        start(null, ECHO_REQUEST_LINE);

        try (RawHttp client = RawHttp.connect(server.socket())) {
            client.send("CONNECT app:443 HTTP/1.1\r\nHost: app:443\r\n\r\n");
            RawHttp.Answer answer = within(client::readAnswer);
            assertProblem(answer, 405);
            assertThat(answer.header("allow")).contains("GET").doesNotContain("CONNECT");
        }
        assertThat(upstream.heads()).isEmpty();
    }

    @Test
    void traceIsRefusedWith405AsNginxDoes() throws Exception {
        start(null, ECHO_REQUEST_LINE);

        RawHttp.Answer answer = send("TRACE", "/api/x");
        assertProblem(answer, 405);
        assertThat(answer.header("allow")).doesNotContain("TRACE");
        assertThat(upstream.heads()).isEmpty();
    }
}
