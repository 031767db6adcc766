package dev.udsgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.udsgate.testing.Api;
import dev.udsgate.testing.RawHttp;
import dev.udsgate.testing.ServerProcess;
import dev.udsgate.testing.SlowGateway;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway as a process: bodies far bigger than its heap pass through, and a route put over the
 * API survives a kill -9. The upstream runs inside that process (see {@link SlowGateway}).
 */
class GatewayProcessTest {

    private static final long GIBIBYTE = 1L << 30;
    private static final Duration START = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private ServerProcess serve(List<String> jvmOptions, String... extra) throws IOException {
        Path upstream = dir.resolve("upstream.sock");
        Path config = dir.resolve("udsgate.yaml");
        Files.writeString(
                config,
                "routes:\n  - name: files\n    pathPrefix: /\n    responseTimeout: 0s\n" + "    upstreams: [\"unix:"
                        + upstream + "\"]\n");
        List<String> options = new java.util.ArrayList<>(jvmOptions);
        options.add("-Dupstream.socket=" + upstream);
        List<String> args = new java.util.ArrayList<>(
                List.of("serve", "--socket", socket().toString(), "--config", config.toString()));
        args.addAll(List.of(extra));
        ServerProcess process =
                ServerProcess.start(dir.resolve("server.log"), options, SlowGateway.class, args.toArray(String[]::new));
        process.awaitOutput("listening on unix:" + socket(), START);
        return process;
    }

    private Path socket() {
        return dir.resolve("udsgate.sock");
    }

    @Test
    @Timeout(180)
    void aGibibyteStreamsEachWayThroughA64MibHeap() throws Exception {
        try (ServerProcess server = serve(List.of("-Xmx64m"))) {
            long started = System.nanoTime();
            try (RawHttp download = RawHttp.connect(socket())) {
                download.send(RawHttp.request("GET", "/bytes?n=" + GIBIBYTE));
                RawHttp.Head head = download.readHead();
                assertThat(head.status()).isEqualTo(200);
                assertThat(download.drainBody(GIBIBYTE)).isEqualTo(GIBIBYTE);
            }
            long downloaded = System.nanoTime();
            try (RawHttp upload = RawHttp.connect(socket())) {
                upload.send(RawHttp.request(
                        "POST", "/upload", "Content-Length: " + GIBIBYTE, "Content-Type: application/octet-stream"));
                String sent = upload.sendBody(GIBIBYTE);
                RawHttp.Answer answer = upload.readAnswer();
                assertThat(answer.status()).as(answer.body()).isEqualTo(200);
                var seen = new ObjectMapper().readTree(answer.body());
                assertThat(seen.get("length").asLong()).isEqualTo(GIBIBYTE);
                assertThat(seen.get("sha256").asText()).isEqualTo(sent);
            }
            long uploaded = System.nanoTime();
            System.out.printf(
                    "1 GiB through the gateway: download %d ms, upload %d ms (udsgate and upstream in -Xmx64m)%n",
                    (downloaded - started) / 1_000_000, (uploaded - downloaded) / 1_000_000);
            assertThat(server.output()).doesNotContain("OutOfMemoryError");
            Api.over(socket()).get("/_ping").then().statusCode(200);
        }
    }

    @Test
    void aRoutePutJustBeforeAKillMinusNineIsThereAfterRestart() throws Exception {
        Path state = dir.resolve("state").resolve("routes.json");
        Files.createDirectories(state.getParent());
        String etag;
        try (ServerProcess first = serve(List.of(), "--state-file", state.toString())) {
            etag = Api.over(socket())
                    .contentType("application/json")
                    .body("{\"host\":\"late\",\"upstreams\":[\"unix:" + dir.resolve("upstream.sock") + "\"]}")
                    .put("/v1/routes/late")
                    .then()
                    .statusCode(201)
                    .extract()
                    .header("ETag");
            first.signal("KILL");
            first.awaitExit(Duration.ofSeconds(10));
        }
        try (ServerProcess second = serve(List.of(), "--state-file", state.toString())) {
            Api.over(socket()).get("/v1/routes/late").then().statusCode(200).header("ETag", etag);
            Api.unchecked(socket())
                    .header("Host", "late")
                    .get("/echo")
                    .then()
                    .statusCode(200)
                    .body("upstream", equalTo("slow"));
            second.terminate();
            assertThat(second.awaitExit(Duration.ofSeconds(10))).isZero();
        }
        assertThat(Files.list(state.getParent())
                        .map(p -> p.getFileName().toString())
                        .toList())
                .as("no temporary file left beside the state")
                .containsExactly("routes.json");
    }
}
