package dev.udsgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.udsgate.testing.ApiContract;
import dev.udsgate.testing.TestServer;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemApiTest {

    @TempDir
    Path dir;

    TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(dir.resolve("udsgate.sock"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void pingAnswersOkWithDockerStyleHeaders() {
        server.api()
                .get("/_ping")
                .then()
                .statusCode(200)
                .contentType(startsWith("text/plain"))
                .header("Api-Version", "1.0")
                .header("Cache-Control", "no-cache, no-store, must-revalidate")
                .header("Pragma", "no-cache")
                .body(equalTo("OK"));
    }

    @Test
    void headPingAnswersTheSameHeadersWithoutABody() {
        server.api()
                .head("/_ping")
                .then()
                .statusCode(200)
                .header("Api-Version", "1.0")
                .header("Content-Length", "2")
                .body(emptyString());
    }

    @Test
    void versionNamesTheBuildTheRuntimeAndJetty() {
        server.api()
                .get("/v1/version")
                .then()
                .statusCode(200)
                .body("apiVersion", equalTo("1.0"))
                .body("javaVersion", equalTo(System.getProperty("java.version")))
                .body("jettyVersion", startsWith("12."))
                .body("os", equalTo(System.getProperty("os.name")))
                .body("arch", equalTo(System.getProperty("os.arch")))
                .body("version", not(equalTo("unknown")));
    }

    @Test
    void infoCountsRequestsAndShowsTheListener() {
        long before = server.api()
                .get("/v1/info")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getLong("requestsServed");
        server.api().get("/_ping");
        server.api().get("/_ping");

        server.api()
                .get("/v1/info")
                .then()
                .statusCode(200)
                .body("requestsServed", equalTo((int) before + 3))
                .body("pid", equalTo((int) ProcessHandle.current().pid()))
                .body("openConnections", greaterThanOrEqualTo(1))
                .body("listener", equalTo("main"))
                .body("listeners[0].path", equalTo(server.socket().toString()))
                .body("listeners[0].state", equalTo("listening"));
    }

    @Test
    void unknownApiPathIsA404Problem() {
        server.api()
                .get("/v1/nothing-here")
                .then()
                .statusCode(404)
                .contentType("application/problem+json")
                .header("Api-Version", "1.0")
                .body("status", equalTo(404))
                .body("type", equalTo("urn:udsgate:problem:not-found"))
                .body("instance", equalTo("/v1/nothing-here"));
    }

    @Test
    void pathOutsideTheApiWithNoRouteIsA404Problem() {
        server.api()
                .header("Host", "billing")
                .get("/invoices")
                .then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("detail", equalTo("no route for host billing and path /invoices"));
    }

    @Test
    void wrongMethodIsA405ProblemThatSaysWhatIsAllowed() {
        server.api()
                .delete("/v1/version")
                .then()
                .statusCode(405)
                .contentType("application/problem+json")
                .header("Allow", "GET, HEAD")
                .body("status", equalTo(405));
    }

    @Test
    void malformedRequestIsAProblemWithoutStackTrace() throws IOException {
        String answer = rawExchange("GET /_ping HTTP/1.1\r\nHost: x\r\nNot a header\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 400 ");
        String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
        ApiContract.assertProblem(header(answer, "Content-Type"), body);
        assertThat(body).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("<html");
    }

    @Test
    void oversizedHeadersAreAProblemToo() throws IOException {
        String answer = rawExchange("GET /_ping HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 431 ");
        ApiContract.assertProblem(header(answer, "Content-Type"), answer.substring(answer.indexOf("\r\n\r\n") + 4));
    }

    private String rawExchange(String request) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(server.socket()))) {
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
            channel.shutdownOutput();
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            while (channel.read(buffer) >= 0 && buffer.hasRemaining()) {
                // read until the server closes
            }
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1);
        }
    }

    private static String header(String response, String name) {
        for (String line : response.substring(0, response.indexOf("\r\n\r\n")).split("\r\n")) {
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return line.substring(name.length() + 1).strip();
            }
        }
        return null;
    }
}
