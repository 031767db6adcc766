package dev.udsgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.udsgate.UdsGate;
import dev.udsgate.testing.ApiContract;
import dev.udsgate.testing.TestServer;
import dev.udsgate.testing.TunnelUpstream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upgrade passthrough: a request that asks to switch protocols, as Docker's {@code attach} does,
 * goes upstream with its {@code Upgrade}; a {@code 101} makes the client's connection a byte tunnel
 * to the upstream, both ways, half-closes included; any other answer is an answer.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class UpgradeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ATTACH = "POST /api/containers/c1/attach?stream=1&stdin=1 HTTP/1.1\r\n"
            + "Host: app\r\nContent-Type: text/plain\r\nUpgrade: tcp\r\nConnection: Upgrade\r\n"
            + "X-Forwarded-For: 10.9.9.9\r\nUdsgate-Peer-Uid: 4242\r\n\r\n";

    @TempDir
    Path dir;

    private TestServer server;
    private TunnelUpstream upstream;

    @AfterEach
    void closeAll() throws Exception {
        if (server != null) {
            server.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    /** A route "app" for host app, prefix /api stripped, to an upstream that answers as {@code answer} says. */
    private void start(Function<String, String> answer) {
        Path socket = dir.resolve("upstream.sock");
        upstream = TunnelUpstream.on(socket, answer, "bye");
        startServer(socket);
    }

    private void startServer(Path upstreamSocket) {
        server = TestServer.on(dir.resolve("udsgate.sock"))
                .routes(List.of(GatewayTest.route("app", "app", "/api", true, null, null, "unix:" + upstreamSocket)))
                .start();
    }

    @Test
    void a101MakesATwoWayTunnelThatCarriesAHalfCloseToTheUpstreamAndItsLastBytesBack() throws Exception {
        // The tunnel's first bytes come in the same write as the 101, and may look like anything.
        start(head -> TunnelUpstream.SWITCH + " \u0000\u0001hi");

        try (Client client = Client.connect(server.socket())) {
            client.send(ATTACH);
            Client.Head head = client.readHead();
            assertThat(head.status()).isEqualTo(101);
            assertThat(head.headers()).containsEntry("upgrade", "tcp").containsEntry("connection", "Upgrade");
            assertThat(head.headers()).containsEntry("content-type", "application/vnd.docker.raw-stream");
            assertThat(client.read(5)).isEqualTo(" \u0000\u0001hi");

            for (int i = 0; i < 5; i++) {
                client.send("round trip " + i + "\n");
                assertThat(client.read(13)).isEqualTo("round trip " + i + "\n");
            }
            assertThat(echoesThrough(client, 4 * 1024 * 1024)).isTrue();

            client.shutdownOutput();
            assertThat(client.readToEnd()).isEqualTo("bye");
        }

        String forwarded = upstream.heads().get(0);
        assertThat(forwarded).startsWith("POST /containers/c1/attach?stream=1&stdin=1 HTTP/1.1\r\n");
        assertThat(forwarded)
                .contains("\r\nUpgrade: tcp\r\n", "\r\nConnection: Upgrade\r\n", "\r\nHost: app\r\n")
                .contains("\r\nVia: 1.1 udsgate-", "\r\nForwarded: for=unknown;proto=http;host=\"app\"\r\n")
                .contains("\r\nUdsgate-Connection: ")
                .doesNotContain("10.9.9.9", "4242");
        server.api()
                .get("/v1/upstreams")
                .then()
                .statusCode(200)
                .body("[0].served", equalTo(1))
                .body("[0].inFlight", equalTo(0));
    }

    @Test
    void anOpenTunnelIsListedAsAnUpgradedConnectionWithItsBytesCounted() throws Exception {
        start(head -> TunnelUpstream.SWITCH);

        try (Client client = Client.connect(server.socket())) {
            client.send(ATTACH);
            assertThat(client.readHead().status()).isEqualTo(101);
            client.send("0123456789");
            assertThat(client.read(10)).isEqualTo("0123456789");

            String id = header(upstream.heads().get(0), "Udsgate-Connection");
            JsonNode upgraded = JSON.readTree(server.api()
                    .get("/v1/connections?state=upgraded")
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString());
            assertThat(upgraded).hasSize(1);
            assertThat(upgraded.get(0).get("id").asText()).isEqualTo(id);
            assertThat(upgraded.get(0).get("state").asText()).isEqualTo("upgraded");
            assertThat(upgraded.get(0).get("requests").asLong()).isEqualTo(1);
            assertThat(upgraded.get(0).get("bytesIn").asLong()).isEqualTo(ATTACH.length() + 10);
            assertThat(upgraded.get(0).get("bytesOut").asLong()).isGreaterThan(10);
        }
    }

    @Test
    void anAnswerOtherThan101IsPassedOnAndTheConnectionServesOn() throws Exception {
        // What the upstream says names the Upgrade it was sent, so only a passed-on Upgrade gives "tcp".
        start(head -> {
            String body = "{\"message\":\"no such container\",\"upgrade\":\"" + header(head, "Upgrade") + "\"}";
            return "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                    + "\r\n\r\n" + body;
        });

        try (Client client = Client.connect(server.socket())) {
            client.send(ATTACH);
            Client.Head head = client.readHead();
            assertThat(head.status()).isEqualTo(404);
            assertThat(head.headers()).containsEntry("content-type", "application/json");
            String body = client.read(Integer.parseInt(head.headers().get("content-length")));
            assertThat(body).isEqualTo("{\"message\":\"no such container\",\"upgrade\":\"tcp\"}");

            client.send("GET /_ping HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(client.readHead().status()).isEqualTo(200);
        }
    }

    @Test
    void aLargeAnswerOtherThan101ReachesASlowClientWholeAndTheConnectionServesOn() throws Exception {
        int size = 1024 * 1024; // more than the socket buffers hold: the gateway's writes wait for the client
        start(head -> "HTTP/1.1 409 Conflict\r\nContent-Type: text/plain\r\nContent-Length: " + size + "\r\n\r\n"
                + "y".repeat(size));

        try (Client client = Client.connect(server.socket())) {
            client.send(ATTACH);
            Client.Head head = client.readHead();
            assertThat(head.status()).isEqualTo(409);
            int read = 0;
            while (read < size) {
                Thread.sleep(5);
                String part = client.read(Math.min(64 * 1024, size - read));
                assertThat(part).matches("y+");
                read += part.length();
            }

            client.send("GET /_ping HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(client.readHead().status()).isEqualTo(200);
        }
    }

    @Test
    void anUpstreamThatIsDownIsA502ProblemAndOnceUpTheSameClientGetsItsTunnel() throws Exception {
        Path socket = dir.resolve("upstream.sock");
        startServer(socket);

        try (Client client = Client.connect(server.socket())) {
            client.send(ATTACH);
            Client.Head head = client.readHead();
            String body = client.read(Integer.parseInt(head.headers().get("content-length")));
            assertThat(head.status()).as(body).isEqualTo(502);
            ApiContract.assertProblem(head.headers().get("content-type"), body);
            assertThat(body).contains("route app").contains("could not connect");

            upstream = TunnelUpstream.on(socket, h -> TunnelUpstream.SWITCH, "bye");
            client.send(ATTACH);
            assertThat(client.readHead().status()).isEqualTo(101);
            client.send("up");
            assertThat(client.read(2)).isEqualTo("up");
        }
    }

    @Test
    void onlyARequestThatAsksToUpgradeMayBeAnswered101() throws Exception {
        start(head -> TunnelUpstream.SWITCH);

        // Without Upgrade, or with a body (which would have to be read before a switch), the
        // upstream is not asked to switch, and its 101 is a broken answer.
        for (String request : List.of(
                "GET /api/x HTTP/1.1\r\nHost: app\r\n\r\n",
                "POST /api/x HTTP/1.1\r\nHost: app\r\nUpgrade: tcp\r\nConnection: Upgrade\r\n"
                        + "Content-Length: 4\r\n\r\nbody")) {
            try (Client client = Client.connect(server.socket())) {
                client.send(request);
                Client.Head head = client.readHead();
                String body = client.read(Integer.parseInt(head.headers().get("content-length")));
                assertThat(head.status()).as(body).isEqualTo(502);
                assertThat(body).contains("route app");
            }
        }
        assertThat(upstream.heads()).allSatisfy(head -> assertThat(head).doesNotContainIgnoringCase("upgrade"));

        try (Client client = Client.connect(server.socket())) {
            client.send("GET /api/x HTTP/1.1\r\nHost: app\r\nUpgrade: tcp\r\nConnection: Upgrade\r\n\r\n");
            assertThat(client.readHead().status()).isEqualTo(101);
        }
    }

    @Test
    void aStopClosesATunnelThatIsStillBusyAndStaysGraceful() throws Exception {
        start(head -> TunnelUpstream.SWITCH);
        Client client = Client.connect(server.socket());
        client.send(ATTACH);
        assertThat(client.readHead().status()).isEqualTo(101);
        // Bytes flow all the time, so only the stop can end the tunnel (an idle one would time out).
        AtomicBoolean ended = new AtomicBoolean();
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            try {
                ByteBuffer block = ByteBuffer.allocate(16 * 1024);
                while (!ended.get()) {
                    client.channel.write(block.clear());
                }
            } catch (IOException closed) {
                // the stop closed it
            }
        });
        CompletableFuture<Long> reading = CompletableFuture.supplyAsync(client::drain);
        Thread.sleep(200);

        UdsGate.StopResult stopped = server.gate().stop();
        ended.set(true);

        assertThat(stopped.graceful()).as(stopped.problems().toString()).isTrue();
        assertThat(stopped.took()).isLessThan(Duration.ofSeconds(3));
        assertThat(reading.get(5, TimeUnit.SECONDS))
                .as("bytes echoed before the stop")
                .isPositive();
        writing.get(5, TimeUnit.SECONDS);
        client.close();
    }

    /** Sends {@code size} bytes while reading the echo, and compares both ends' sha256. */
    private static boolean echoesThrough(Client client, int size) throws Exception {
        CompletableFuture<String> sent = CompletableFuture.supplyAsync(() -> {
            try {
                MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
                byte[] block = new byte[48 * 1024 + 7];
                for (int i = 0; i < block.length; i++) {
                    block[i] = (byte) (i * 31);
                }
                for (int left = size; left > 0; ) {
                    int n = Math.min(block.length, left);
                    client.channel.write(ByteBuffer.wrap(block, 0, n));
                    sha256.update(block, 0, n);
                    left -= n;
                }
                return HexFormat.of().formatHex(sha256.digest());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        for (long got = 0; got < size; ) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), size - got));
            int n = client.channel.read(buffer);
            if (n < 0) {
                return false;
            }
            received.update(buffer.flip());
            got += n;
        }
        return HexFormat.of().formatHex(received.digest()).equals(sent.get(10, TimeUnit.SECONDS));
    }

    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                return line.substring(colon + 1).strip();
            }
        }
        return "none";
    }

    /** A raw client: a head is read byte by byte, so nothing of the tunnel after it is read with it. */
    private static final class Client implements AutoCloseable {
        final SocketChannel channel;

        private Client(SocketChannel channel) {
            this.channel = channel;
        }

        static Client connect(Path socket) throws IOException {
            return new Client(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
        }

        void send(String text) throws IOException {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }

        void shutdownOutput() throws IOException {
            channel.shutdownOutput();
        }

        record Head(int status, Map<String, String> headers) {}

        Head readHead() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            ByteBuffer one = ByteBuffer.allocate(1);
            int matched = 0;
            while (matched < 4) {
                if (channel.read(one.clear()) < 0) {
                    throw new IOException("closed before a whole head: " + head);
                }
                byte b = one.get(0);
                head.write(b);
                matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(
                        lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).strip());
            }
            return new Head(Integer.parseInt(lines[0].split(" ")[1]), headers);
        }

        String read(int size) throws IOException {
            ByteBuffer bytes = ByteBuffer.allocate(size);
            while (bytes.hasRemaining()) {
                if (channel.read(bytes) < 0) {
                    throw new IOException("closed after " + bytes.position() + " of " + size + " bytes");
                }
            }
            return new String(bytes.array(), StandardCharsets.ISO_8859_1);
        }

        String readToEnd() throws IOException {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            ByteBuffer bytes = ByteBuffer.allocate(8192);
            while (channel.read(bytes.clear()) >= 0) {
                all.write(bytes.array(), 0, bytes.position());
            }
            return all.toString(StandardCharsets.ISO_8859_1);
        }

        /** Reads until the end, a reset included; returns how many bytes came. */
        long drain() {
            long total = 0;
            ByteBuffer bytes = ByteBuffer.allocate(64 * 1024);
            try {
                for (int n; (n = channel.read(bytes.clear())) >= 0; ) {
                    total += n;
                }
            } catch (IOException reset) {
                // the stop closed it
            }
            return total;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
