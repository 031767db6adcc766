package dev.udsgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.udsgate.config.FieldError;
import dev.udsgate.config.RouteConfig;
import dev.udsgate.config.RouteDocument;
import dev.udsgate.config.RouteRules;
import dev.udsgate.testing.Api;
import dev.udsgate.testing.ServerProcess;
import dev.udsgate.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code udsgate echo}, the toy upstream the README's gateway examples run, as a person runs it. */
class EchoCommandTest {

    @TempDir
    Path dir;

    @Test
    void theGatewayReachesItAndItEchoesTheRequestAsForwarded() throws Exception {
        Path echo = dir.resolve("billing.sock");
        try (ServerProcess upstream = ServerProcess.start(
                dir.resolve("echo.log"), Main.class, "echo", "--socket", echo.toString(), "--name", "billing")) {
            upstream.awaitOutput("echo listening on unix:" + echo, Duration.ofSeconds(20));
            List<FieldError> errors = new ArrayList<>();
            RouteConfig route = RouteRules.check(
                            new RouteDocument(
                                    "billing", "billing", null, null, List.of("unix:" + echo), null, null, null),
                            "",
                            errors)
                    .orElseThrow();
            try (TestServer gateway = TestServer.on(dir.resolve("udsgate.sock"))
                    .routes(List.of(route))
                    .start()) {
                Api.unchecked(gateway.socket())
                        .header("Host", "billing")
                        .get("/invoices?month=11")
                        .then()
                        .statusCode(200)
                        .contentType("application/json")
                        .body("upstream", equalTo("billing"))
                        .body("method", equalTo("GET"))
                        .body("path", equalTo("/invoices"))
                        .body("query", equalTo("month=11"))
                        .body("headers.Host", equalTo("billing"))
                        .body("headers.Forwarded", equalTo("for=unknown;proto=http;host=\"billing\""));
            }
            upstream.terminate();
            assertThat(upstream.awaitExit(Duration.ofSeconds(10))).isZero();
        }
        assertThat(echo).doesNotExist();
    }

    @Test
    void aPathThatIsTakenIsABadArgumentInOneLine() throws Exception {
        Path taken = Files.writeString(dir.resolve("taken.sock"), "not a socket");
        Path output = dir.resolve("output.txt");

        int exit = ServerProcess.run(output, Main.class, "echo", "--socket", taken.toString());

        String printed = Files.readString(output);
        assertThat(exit).as(printed).isEqualTo(2);
        assertThat(printed.strip().lines()).hasSize(1);
        assertThat(printed).startsWith("udsgate: --socket: " + taken + " exists already");
        assertThat(taken).hasContent("not a socket");
    }
}
