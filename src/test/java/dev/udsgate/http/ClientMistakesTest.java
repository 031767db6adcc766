package dev.udsgate.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.udsgate.cli.Main;
import dev.udsgate.testing.ApiContract;
import dev.udsgate.testing.ServerProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client's mistakes, sent byte for byte to udsgate as a process: each is answered as the client's
 * (a 4xx problem, or the 505 of an unknown HTTP version, that says what was wrong) and adds at most
 * one line to the log, never a stack trace, and never the socket's private bind path. The API and
 * HTTP layers log at DEBUG here, so that a line per mistake would show.
 */
class ClientMistakesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static ServerProcess server;

    @BeforeAll
    static void serve() throws IOException {
        Path config = dir.resolve("udsgate.yaml");
        // Every host and path outside the API goes to an upstream that is not there: the gateway is in play.
        Files.writeString(
                config,
                "routes:\n  - name: all\n    pathPrefix: /\n    upstreams: [\"unix:" + dir.resolve("absent.sock")
                        + "\"]\n");
        server = ServerProcess.start(
                dir.resolve("server.log"),
                List.of("-Ddev.udsgate.api.LEVEL=DEBUG", "-Ddev.udsgate.http.LEVEL=DEBUG"),
                Main.class,
                "serve",
                "--socket",
                socket().toString(),
                "--config",
                config.toString(),
                "--idle-timeout",
                "2s");
        // The line serve prints, not the log line before it that says the same: the log is counted from here.
        server.awaitOutput("\nlistening on unix:" + socket() + "\n", Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Path socket() {
        return dir.resolve("udsgate.sock");
    }

    @Test
    void garbageInTheQueryUserOrBodyIsA400ProblemInOneLineAtMost() throws Exception {
        List<String> mistakes = List.of(
                put("/v1/routes/x", "null"),
                put("/v1/routes/x", "[]"),
                put("/v1/routes/x", "\"billing\""),
                put("/v1/routes/x", "{\"upstreams\":{}}"),
                get("/v1/connections?%ff"),
                get("/v1/connections?%"),
                get("/v1/connections?%zz=1"),
                get("/v1/events?%c3%28=1"),
                get("/v1/events?user=99999999999999999999"),
                get("/v1/connections?user=4294967296"),
                get("/v1/connections?user="),
                "POST /anything HTTP/1.1\r\nHost: billin=\r\nContent-Length: 2\r\n\r\nhi",
                "GET /anything HTTP/1.1\r\nHost: a|b\r\n\r\n",
                "POST /v1/routes HTTP/1.1\r\nHost: x:1:2\r\nContent-Length: 0\r\n\r\n");
        long before = logLines();

        for (String mistake : mistakes) {
            Answer answer = send(mistake);
            assertThat(answer.status()).as(mistake + "\n" + answer).isBetween(400, 499);
            assertClientsProblem(answer, mistake);
        }

        assertLogGrewByAtMost(before, mistakes.size());
    }

    @Test
    void aBadRequestLineIsTheClientsProblemEvenAsA505() throws Exception {
        long before = logLines();

        Answer version = send("GET / HTTP/9.9\r\nHost: localhost\r\n\r\n");
        Answer garbage = send("GARBAGE\r\n\r\n");

        assertThat(version.status()).isEqualTo(505);
        assertClientsProblem(version, "HTTP/9.9");
        assertThat(problem(version).get("detail").asText()).contains("the request is malformed", "Unknown Version");
        assertThat(garbage.status()).isEqualTo(400);
        assertClientsProblem(garbage, "GARBAGE");
        assertThat(problem(garbage).get("instance").isNull())
                .as("no path was read, so none is named: " + garbage.body())
                .isTrue();
        assertLogGrewByAtMost(before, 2);
    }

    @Test
    void http10WithoutHostIsServedAsDockerDoesAndTheLogNamesNoPrivatePath() throws Exception {
        long before = logLines();

        Answer ping = send("GET /_ping HTTP/1.0\r\n\r\n");
        Answer version = send("GET /v1/version HTTP/1.0\r\n\r\n");

        assertThat(ping.status()).as(ping.toString()).isEqualTo(200);
        assertThat(ping.body()).isEqualTo("OK");
        assertThat(version.status()).as(version.toString()).isEqualTo(200);
        assertThat(server.output()).doesNotContain(".udsgate-");
        assertLogGrewByAtMost(before, 0);
    }

    @Test
    void twoThousandMutatedRequestsAddAtMostALineEachAndNoStackTrace() throws Exception {
        List<String> requests = mutations(new Random(11), 2000);
        long before = logLines();

        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Future<Answer>> answers = new ArrayList<>();
            for (String request : requests) {
                answers.add(clients.submit(() -> send(request)));
            }
            for (int i = 0; i < answers.size(); i++) {
                Answer answer = answers.get(i).get(20, TimeUnit.SECONDS);
                assertThat(answer.status())
                        .as("a mutated request is never the server's failure:\n" + requests.get(i) + "\n" + answer)
                        .isNotEqualTo(500);
            }
        } finally {
            clients.shutdownNow();
        }

        assertLogGrewByAtMost(before, requests.size());
    }

    /** A valid request, with one to three bytes replaced, inserted or removed. */
    private static List<String> mutations(Random random, int count) {
        List<String> seeds = List.of(
                get("/v1/connections?state=idle&user=root"),
                get("/v1/events?since=0&until=1"),
                put("/v1/routes/billing", "{\"host\":\"billing\",\"upstreams\":[\"unix:/run/billing.sock\"]}"),
                "POST /invoices?x=1 HTTP/1.1\r\nHost: billing\r\nContent-Length: 2\r\n\r\nhi");
        String alphabet = " %;:=/?#[]@!$&'()*+,\"\\{}<>|^`~\t\r\nx9Z\u00ff\u0000";
        List<String> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder request = new StringBuilder(seeds.get(i % seeds.size()));
            for (int n = 1 + random.nextInt(3); n > 0; n--) {
                int at = random.nextInt(request.length());
                char c = alphabet.charAt(random.nextInt(alphabet.length()));
                switch (random.nextInt(3)) {
                    case 0 -> request.setCharAt(at, c);
                    case 1 -> request.insert(at, c);
                    default -> request.deleteCharAt(at);
                }
            }
            requests.add(request.toString());
        }
        return requests;
    }

    private static String get(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    }

    private static String put(String target, String body) {
        return "PUT " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    /** The answer is a contract problem that blames the request, in words, and names no Java type. */
    private static void assertClientsProblem(Answer answer, String request) throws IOException {
        ApiContract.assertProblem(answer.header("content-type"), answer.body());
        String detail = problem(answer).get("detail").asText();
        assertThat(detail)
                .as(request)
                .doesNotContain("server failed")
                .doesNotContain("java.")
                .doesNotContain("Exception")
                .doesNotContain("$");
        assertThat(problem(answer).path("instance").asText()).doesNotContain("badMessage");
    }

    private static JsonNode problem(Answer answer) throws IOException {
        return JSON.readTree(answer.body());
    }

    private static long logLines() {
        return server.output().lines().count();
    }

    private static void assertLogGrewByAtMost(long before, int lines) {
        List<String> added = server.output().lines().skip(before).toList();
        String log = String.join("\n", added);
        assertThat(added).as(log).hasSizeLessThanOrEqualTo(lines);
        assertThat(log)
                .doesNotContain("\tat ")
                .doesNotContain("Exception")
                .doesNotContain("WARN")
                .doesNotContain(".udsgate-");
    }

    /** One request on its own connection, written whole, then the answer up to the server's close or timeout. */
    private static Answer send(String request) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket()))) {
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
            // No more is coming: a request cut short is answered or closed now, not at the idle timeout.
            channel.shutdownOutput();
            InputStream in = Channels.newInputStream(channel);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            return Answer.parse(all.toString(StandardCharsets.ISO_8859_1));
        }
    }

    /** The first answer on a connection; status 0 if the server closed it without one. */
    record Answer(int status, String head, String body) {

        static Answer parse(String text) {
            if (!text.startsWith("HTTP/")) {
                return new Answer(0, text, "");
            }
            int end = text.indexOf("\r\n\r\n");
            String head = end < 0 ? text : text.substring(0, end);
            String rest = end < 0 ? "" : text.substring(end + 4);
            String length = header(head, "content-length");
            String body = length == null ? rest : rest.substring(0, Math.min(rest.length(), Integer.parseInt(length)));
            return new Answer(Integer.parseInt(head.split(" ")[1]), head, body);
        }

        String header(String name) {
            return header(head, name);
        }

        private static String header(String head, String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).strip();
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return head + "\n\n" + body;
        }
    }
}
