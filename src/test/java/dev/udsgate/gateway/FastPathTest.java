package dev.udsgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import dev.udsgate.testing.Api;
import dev.udsgate.testing.RawHttp;
import dev.udsgate.testing.ScriptedUpstream;
import dev.udsgate.testing.ScriptedUpstream.Reply;
import dev.udsgate.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's fast path (requests without a body) against an upstream scripted byte by byte:
 * connection reuse, a kept-alive connection the upstream dropped, and answers a plain server
 * rarely gives.
 */
class FastPathTest {

    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

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

    private void start(ScriptedUpstream.Script script) {
        start(null, script);
    }

    private void start(String responseTimeout, ScriptedUpstream.Script script) {
        Path socket = dir.resolve("upstream.sock");
        upstream = ScriptedUpstream.on(socket, script);
        server = TestServer.on(dir.resolve("udsgate.sock"))
                .routes(List.of(GatewayTest.route("app", "app", null, null, responseTimeout, null, "unix:" + socket)))
                .start();
    }

    @Test
    void upstreamConnectionsAreKeptAliveAndReused() throws Exception {
        start((connection, request, head) -> Reply.of(OK));

        try (RawHttp first = RawHttp.connect(server.socket());
                RawHttp second = RawHttp.connect(server.socket())) {
            for (int i = 0; i < 50; i++) {
                assertThat(first.exchange("GET", "/a", "Host: app").body()).isEqualTo("ok");
                assertThat(second.exchange("GET", "/b", "Host: app").body()).isEqualTo("ok");
            }
        }
        assertThat(upstream.heads()).hasSize(100);
        assertThat(upstream.connections()).isEqualTo(1);
    }

    @Test
    void anAnswerThatSaysConnectionCloseOrIsHttp10EndsItsUpstreamConnection() throws Exception {
        // The upstream says so but keeps its end open: only the gateway's reading of the answer can
        // tell it not to send the next request there.
        start((connection, request, head) -> head.startsWith("GET /close")
                ? Reply.of("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")
                : head.startsWith("GET /old")
                        ? Reply.of("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
                        : Reply.of(OK));

        try (RawHttp client = RawHttp.connect(server.socket())) {
            assertThat(client.exchange("GET", "/close", "Host: app").body()).isEqualTo("ok");
            assertThat(client.exchange("GET", "/old", "Host: app").body()).isEqualTo("ok");
            assertThat(client.exchange("GET", "/next", "Host: app").body()).isEqualTo("ok");
        }
        assertThat(upstream.connections()).isEqualTo(3);
    }

    @Test
    void theGatewaysOwnUpstreamConnectionsAreNotCountedOrListedAsClients() throws Exception {
        start((connection, request, head) -> Reply.of(OK));
        long acceptedBefore = accepted();

        try (RawHttp client = RawHttp.connect(server.socket())) {
            assertThat(client.exchange("GET", "/a", "Host: app").body()).isEqualTo("ok");
            // Its upstream connection lives on the same listener's selectors, kept alive.
            assertThat(upstream.connections()).isEqualTo(1);

            assertThat(accepted() - acceptedBefore)
                    .as("this client and the second look's own connection, not the upstream's")
                    .isEqualTo(2);
            assertThat(server.api()
                            .get("/v1/connections")
                            .then()
                            .extract()
                            .jsonPath()
                            .getList("id"))
                    .as("this client and the API call's own connection")
                    .hasSize(2);
        }
    }

    private long accepted() {
        return server.api()
                .get("/v1/info")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getLong("acceptedConnections");
    }

    @Test
    void aKeptAliveConnectionTheUpstreamDroppedIsRetriedForAGetButNotForAPost() throws Exception {
        // Each connection answers its first request, then hangs up on the next one unanswered.
        start((connection, request, head) -> request == 0 ? Reply.of(OK) : Reply.hangUp());

        try (RawHttp client = RawHttp.connect(server.socket())) {
            assertThat(client.exchange("GET", "/one", "Host: app").status()).isEqualTo(200);
            RawHttp.Answer retried = client.exchange("GET", "/two", "Host: app");
            assertThat(retried.status()).isEqualTo(200);
            assertThat(retried.body()).isEqualTo("ok");
            assertThat(upstream.connections()).isEqualTo(2);

            RawHttp.Answer post = client.exchange("POST", "/three", "Host: app", "Content-Length: 0");
            assertThat(post.status())
                    .as("a POST may have been acted on: never replayed")
                    .isEqualTo(502);
            assertThat(post.body()).contains("route app");
        }
        assertThat(upstream.heads()).hasSize(4);
    }

    @Test
    void interimAnswersStayAtTheGateway() throws Exception {
        start((connection, request, head) -> Reply.of("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));

        try (RawHttp client = RawHttp.connect(server.socket())) {
            RawHttp.Answer answer = client.exchange("GET", "/", "Host: app");
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("ok");
            assertThat(answer.header("link")).isNull();
            assertThat(client.exchange("GET", "/again", "Host: app").body()).isEqualTo("ok");
        }
    }

    @Test
    void chunkedAndCloseDelimitedBodiesArriveWhole() {
        start((connection, request, head) -> head.startsWith("GET /chunked")
                ? Reply.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
                : Reply.andClose("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end"));

        for (int i = 0; i < 3; i++) {
            Api.unchecked(server.socket())
                    .header("Host", "app")
                    .get("/chunked")
                    .then()
                    .statusCode(200)
                    .body(org.hamcrest.Matchers.equalTo("hello world"));
            Api.unchecked(server.socket())
                    .header("Host", "app")
                    .get("/eof")
                    .then()
                    .statusCode(200)
                    .body(org.hamcrest.Matchers.equalTo("until the end"));
        }
    }

    @Test
    void headAndBodilessStatusesLeaveTheConnectionInStep() throws Exception {
        start((connection, request, head) -> {
            if (head.startsWith("HEAD")) {
                return Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
            }
            if (head.startsWith("GET /empty")) {
                return Reply.of("HTTP/1.1 204 No Content\r\n\r\n");
            }
            if (head.startsWith("GET /same")) {
                return Reply.of("HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n");
            }
            return Reply.of(OK);
        });

        try (RawHttp client = RawHttp.connect(server.socket())) {
            client.send(RawHttp.request("HEAD", "/file", "Host: app"));
            RawHttp.Head head = client.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.headers().get("content-length")).isEqualTo("1000");
            assertThat(client.exchange("GET", "/empty", "Host: app").status()).isEqualTo(204);
            RawHttp.Answer same = client.exchange("GET", "/same", "Host: app", "If-None-Match: \"v1\"");
            assertThat(same.status()).isEqualTo(304);
            assertThat(same.header("etag")).isEqualTo("\"v1\"");
            assertThat(client.exchange("GET", "/after", "Host: app").body()).isEqualTo("ok");
        }
        assertThat(upstream.connections()).isEqualTo(1);
    }

    @Test
    void theAnswerKeepsTheUpstreamsDateAloneAndLosesItsHopByHopHeaders() throws Exception {
        start((connection, request, head) -> Reply.of("HTTP/1.1 200 OK\r\n"
                + "Date: Tue, 01 Jan 2030 00:00:00 GMT\r\n"
                + "Connection: X-Hop\r\n"
                + "X-Hop: 1\r\n"
                + "Keep-Alive: timeout=5\r\n"
                + "Set-Cookie: a=1\r\n"
                + "Set-Cookie: b=2\r\n"
                + "Content-Length: 2\r\n\r\nok"));

        String head = rawHead("GET / HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n");
        List<String> lines = Arrays.asList(head.toLowerCase().split("\r\n"));
        assertThat(lines)
                .filteredOn(line -> line.startsWith("date:"))
                .containsExactly("date: tue, 01 jan 2030 00:00:00 gmt");
        assertThat(lines).filteredOn(line -> line.startsWith("set-cookie:")).hasSize(2);
        assertThat(lines).noneMatch(line -> line.startsWith("x-hop:") || line.startsWith("keep-alive:"));
    }

    @Test
    void aBadAnswerIsA502AndTheNextRequestGetsAFreshConnection() throws Exception {
        start((connection, request, head) ->
                connection == 0 ? Reply.of("HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n") : Reply.of(OK));

        server.api()
                .header("Host", "app")
                .get("/")
                .then()
                .statusCode(502)
                .body(
                        "detail",
                        containsString("route app: the upstream closed the connection or sent an invalid response"));
        Api.unchecked(server.socket()).header("Host", "app").get("/").then().statusCode(200);
        assertThat(upstream.connections()).isEqualTo(2);
        server.api()
                .get("/v1/upstreams")
                .then()
                .statusCode(200)
                .body("[0].served", org.hamcrest.Matchers.equalTo(1))
                .body("[0].failed", org.hamcrest.Matchers.equalTo(1))
                .body("[0].inFlight", org.hamcrest.Matchers.equalTo(0));
    }

    @Test
    void theResponseTimeoutIsSilenceSoAStreamThatFlowsIsNotCut() {
        // 1.2 s in all, never silent for 300 ms with a 500 ms timeout.
        String[] parts = new String[7];
        parts[0] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (int i = 1; i < 6; i++) {
            parts[i] = "2\r\n" + i + "\n\r\n";
        }
        parts[6] = "0\r\n\r\n";
        start(
                "500ms",
                (connection, request, head) -> head.startsWith("GET /drip")
                        ? Reply.slowly(java.time.Duration.ofMillis(200), parts)
                        : Reply.slowly(
                                java.time.Duration.ofMillis(800),
                                "HTTP/1.1 200 OK\r\n",
                                "Content-Length: 2\r\n\r\nok"));

        Api.unchecked(server.socket())
                .header("Host", "app")
                .get("/drip")
                .then()
                .statusCode(200)
                .body(org.hamcrest.Matchers.equalTo("1\n2\n3\n4\n5\n"));
        // Silent for longer in the middle of its head: nothing reached the client yet, so a 504.
        server.api()
                .header("Host", "app")
                .get("/stall")
                .then()
                .statusCode(504)
                .body("detail", containsString("route app: the upstream did not answer within 500ms"));
    }

    @Test
    void aSlowClientGetsTheWholeAnswerAndTheConnectionServesOnAfterIt() throws Exception {
        int size = 1024 * 1024;
        String body = "x".repeat(size);
        start((connection, request, head) -> head.startsWith("GET /big")
                ? Reply.of("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n" + body)
                : Reply.of(OK));

        try (RawHttp client = RawHttp.connect(server.socket())) {
            client.send(RawHttp.request("GET", "/big", "Host: app"));
            RawHttp.Head head = client.readHead();
            // Reading slowly: the gateway's writes to this client keep waiting, the last one too.
            long read = 0;
            while (read < size) {
                Thread.sleep(10);
                read += client.drainBody(Math.min(32 * 1024, size - read));
            }
            java.util.concurrent.CompletableFuture<RawHttp.Answer> next =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return client.exchange("GET", "/after", "Host: app");
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
            assertThat(next.get(5, java.util.concurrent.TimeUnit.SECONDS).body())
                    .isEqualTo("ok");
            assertThat(head.status()).isEqualTo(200);
        }
    }

    @Test
    void moreConcurrentRequestsThanTheFastPathMayOpenConnectionsForAllSucceed() throws Exception {
        int clients = 300; // the fast path opens at most 256 connections to one upstream
        start((connection, request, head) ->
                Reply.slowly(java.time.Duration.ofMillis(500), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", "ok"));

        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(clients);
        try {
            List<java.util.concurrent.Future<RawHttp.Answer>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < clients; i++) {
                answers.add(pool.submit(() -> {
                    try (RawHttp client = RawHttp.connect(server.socket())) {
                        return client.exchange("GET", "/slow", "Host: app");
                    }
                }));
            }
            for (var answer : answers) {
                assertThat(answer.get(30, java.util.concurrent.TimeUnit.SECONDS).body())
                        .isEqualTo("ok");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(upstream.connections())
                .as("the overflow took Jetty's proxy, with connections of its own")
                .isGreaterThan(256);
    }

    /** The raw head of the answer to {@code request}, sent on a new connection that it closes. */
    private String rawHead(String request) throws Exception {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(server.socket()))) {
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            while (channel.read(buffer.clear()) > 0) {
                received.write(buffer.array(), 0, buffer.position());
            }
            String text = received.toString(StandardCharsets.ISO_8859_1);
            return text.substring(0, text.indexOf("\r\n\r\n"));
        }
    }
}
