package dev.udsgate.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.udsgate.client.ApiClient;
import dev.udsgate.client.ApiException;
import dev.udsgate.client.ApiResponse;
import dev.udsgate.client.api.ConnectionsApi;
import dev.udsgate.client.api.EventsApi;
import dev.udsgate.client.api.GatewayApi;
import dev.udsgate.client.api.SocketApi;
import dev.udsgate.client.api.SystemApi;
import dev.udsgate.client.model.Connection;
import dev.udsgate.client.model.Event;
import dev.udsgate.client.model.Route;
import dev.udsgate.client.model.RouteInput;
import dev.udsgate.testing.TestServer;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okio.BufferedSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFSocketFactory;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The Java client openapi-generator makes from the contract at build time (okhttp-gson, in
 * target/generated-test-sources), used as a user would: over the Unix socket, through an OkHttp
 * whose every socket junixsocket connects to that one path, whatever host the URL names.
 */
class JavaClientTest {

    @TempDir
    Path dir;

    private TestServer server;
    private OkHttpClient http;
    private ApiClient client;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(dir.resolve("udsgate.sock"));
        // The README's "Connect from your language" shows these two statements.
        http = new OkHttpClient.Builder()
                .socketFactory(new AFSocketFactory.FixedAddressSocketFactory(AFUNIXSocketAddress.of(server.socket())))
                .build();
        client = new ApiClient(http).setBasePath("http://localhost");
    }

    @AfterEach
    void stop() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
        server.close();
    }

    @Test
    void pingVersionSocketAndConnectionsAnswerAsTheContractSays() throws Exception {
        SystemApi system = new SystemApi(client);
        assertThat(system.ping()).isEqualTo("OK");
        assertThat(system.getVersion().getApiVersion()).isEqualTo("1.0");

        assertThat(new SocketApi(client).getSocket().getPath())
                .isEqualTo(server.socket().toString());

        ConnectionsApi connections = new ConnectionsApi(client);
        Connection self = connections.getOwnConnection();
        assertThat(self.getPeer().getPid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(connections.listConnections(null, null, "main"))
                .extracting(Connection::getId)
                .contains(self.getId());
    }

    @Test
    void aRouteIsCreatedReadAndRemovedWithItsEtagAndAStaleEtagChangesNothing() throws Exception {
        GatewayApi gateway = new GatewayApi(client);
        RouteInput input = new RouteInput()
                .host("billing")
                .upstreams(List.of("unix:" + dir.resolve("billing.sock"), "http://127.0.0.1:8081"));

        Route created = gateway.putRoute("billing", input, null);
        assertThat(created.getUpstreams()).containsExactly(input.getUpstreams().toArray(String[]::new));

        ApiResponse<Route> read = gateway.getRouteWithHttpInfo("billing");
        String etag = read.getHeaders().get("etag").get(0);
        assertThat(etag).isEqualTo(created.getEtag()).isEqualTo(read.getData().getEtag());

        Route updated = gateway.putRoute("billing", input.pathPrefix("/invoices"), etag);
        assertThat(updated.getEtag()).isNotEqualTo(etag);
        assertThatThrownBy(() -> gateway.deleteRoute("billing", etag))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.getCode()).isEqualTo(412));
        assertThat(gateway.getRoute("billing").getPathPrefix()).isEqualTo("/invoices");

        gateway.deleteRoute("billing", updated.getEtag());
        assertThatThrownBy(() -> gateway.getRoute("billing"))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    }

    @Test
    void theEventStreamIsReadLineByLineThroughTheGeneratedCall() throws Exception {
        // The generated streamEvents() reads the whole body: it cannot return while the stream is
        // open. The generated streamEventsCall() builds the same request (query, Accept); its body
        // is read here as it comes, each line parsed as the generated Event.
        okhttp3.Call call =
                new EventsApi(client).streamEventsCall(null, null, List.of("route.added"), null, null, null, null);
        try (Response response = call.execute()) {
            assertThat(response.code()).isEqualTo(200);
            // The generated client's Accept lists every media type: a tie, so the default, NDJSON.
            assertThat(response.header("Content-Type")).startsWith("application/x-ndjson");

            new GatewayApi(client)
                    .putRoute(
                            "docs",
                            new RouteInput().pathPrefix("/docs").upstreams(List.of("http://127.0.0.1:8082")),
                            null);

            BufferedSource lines = response.body().source();
            String line;
            do {
                line = lines.readUtf8LineStrict(); // blank lines are heartbeats
            } while (line.isBlank());
            Event added = Event.fromJson(line);
            assertThat(added.getType()).isEqualTo("route.added");
            assertThat(added.getData()).containsEntry("route", "docs");
        }
    }

    @Test
    void aBoundedReplayIsReadWhole() throws Exception {
        // With `until` the stream ends, and the generated method returns the body it wrote to a file.
        String now = String.valueOf(java.time.Instant.now().getEpochSecond() + 1);
        File body = new EventsApi(client).streamEvents("0", now, List.of("listener.listening"), null, "main", null);

        List<Event> events = Files.readAllLines(body.toPath(), StandardCharsets.UTF_8).stream()
                .filter(line -> !line.isBlank())
                .map(JavaClientTest::event)
                .toList();
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo("listener.listening");
            assertThat(e.getListener()).isEqualTo("main");
        });
        Files.delete(body.toPath());
    }

    private static Event event(String line) {
        try {
            return Event.fromJson(line);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
