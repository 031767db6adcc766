package dev.udsgate.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.udsgate.config.AccessPolicy;
import dev.udsgate.config.ConfigFileLoader;
import dev.udsgate.config.ConnectionLimits;
import dev.udsgate.config.Exposure;
import dev.udsgate.config.FileMode;
import dev.udsgate.config.ListenerConfig;
import dev.udsgate.system.ProcessUser;
import dev.udsgate.testing.Api;
import dev.udsgate.testing.ApiContract;
import dev.udsgate.testing.SocketFixtures;
import dev.udsgate.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a caller is told of the rules that apply to it ({@code GET /v1/connections/self}), and rules
 * on the connecting process: the same user, told apart by the program that connected.
 */
class CallerAccessTest {

    private static final Path CURL = Path.of("/usr/bin/curl");

    @TempDir
    Path dir;

    TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theOwnConnectionNamesTheRulesThatApplyToTheCallerAndWhetherItMayWrite() throws Exception {
        assumeTrue(SocketFixtures.isRoot(), "runs a client as nobody, which needs root");
        assumeTrue(Files.isExecutable(CURL), "needs curl");
        Path open = SocketFixtures.traversableFolder(dir);
        Path shared = open.resolve("shared.sock");
        server = TestServer.on(open.resolve("admin.sock"))
                .listener(listener(shared, policy("""
                        - allow: {uid: 0}
                        - allow: {user: nobody, methods: [GET], paths: [/_ping, /v1/connections/self]}
                        - deny: {user: nobody, paths: [/v1/**]}
                        - allow: {exe: %s, methods: [GET], paths: [/v1/version]}
                        """.formatted(CURL.toRealPath()))))
                .start();

        // This test's own process is root, and not curl.
        Api.over(shared)
                .get("/v1/connections/self")
                .then()
                .statusCode(200)
                .body("listener", equalTo("shared"))
                .body("access.mode", equalTo("enforce"))
                .body("access.rules.index", equalTo(List.of(0)))
                .body("access.rules[0].decision", equalTo("allow"))
                .body("access.unmatched", equalTo("deny"))
                .body("access.adminWrites", equalTo(true));

        String body =
                curl(shared, "/v1/connections/self", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
        ApiContract.assertSchema("Connection", body);
        JsonNode nobody = new ObjectMapper().readTree(body);
        assertThat(nobody.at("/peer/user/id").asLong()).isEqualTo(65534);
        assertThat(nobody.at("/access/rules").findValuesAsText("index")).containsExactly("1", "2", "3");
        assertThat(nobody.at("/access/rules/1/decision").asText()).isEqualTo("deny");
        assertThat(nobody.at("/access/adminWrites").asBoolean()).isFalse();
    }

    @Test
    void aThirdUserWithoutANameIsMatchedByItsUidAndNamedByItInADenial() throws Exception {
        assumeTrue(SocketFixtures.isRoot(), "runs clients as other users, which needs root");
        assumeTrue(Files.isExecutable(CURL), "needs curl");
        Path open = SocketFixtures.traversableFolder(dir);
        Path shared = open.resolve("shared.sock");
        server = TestServer.on(open.resolve("admin.sock"))
                .listener(listener(shared, policy("""
                        - allow: {uid: 4242, methods: [GET], paths: [/v1/version]}
                        - allow: {user: nobody, methods: [GET], paths: [/_ping]}
                        - deny: {}
                        """)))
                .start();
        String[] third = {"setpriv", "--reuid=4242", "--regid=4242", "--clear-groups"};
        String[] nobody = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};

        assertThat(curl(shared, "/v1/version", third)).contains("\"version\"");
        String denied = curl(shared, "/_ping", third);
        ApiContract.assertProblem("application/problem+json", denied);
        assertThat(new ObjectMapper().readTree(denied).get("detail").asText())
                .isEqualTo("uid 4242 on listener shared may not GET /_ping");
        assertThat(curl(shared, "/_ping", nobody)).isEqualTo("OK");
        assertThat(new ObjectMapper()
                        .readTree(curl(shared, "/v1/version", nobody))
                        .get("status")
                        .asInt())
                .isEqualTo(403);
    }

    @Test
    void aListenerWithoutRulesTellsEveryCallerThatWhatNoRuleMatchesIsAllowed() {
        Path socket = dir.resolve("s.sock");
        server = TestServer.on(socket).start();

        Api.over(socket)
                .get("/v1/connections/self")
                .then()
                .statusCode(200)
                .body("access.rules.size()", equalTo(0))
                .body("access.unmatched", equalTo("allow"))
                .body("access.adminWrites", equalTo(true));
    }

    @Test
    void anExecutableRuleTellsCurlFromAnotherProgramOfTheSameUser() throws Exception {
        assumeTrue(Files.isExecutable(CURL), "needs curl");
        Path socket = dir.resolve("s.sock");
        server = TestServer.on(dir.resolve("admin.sock"))
                .listener(listener(socket, policy("""
                        - allow: {exe: %s, methods: [GET], paths: [/v1/version]}
                        - deny: {}
                        """.formatted(CURL.toRealPath()))))
                .start();

        assertThat(curl(socket, "/v1/version")).contains("\"version\"");
        Api.over(socket)
                .get("/v1/version")
                .then()
                .statusCode(403)
                .body(
                        "detail",
                        equalTo("uid " + ProcessUser.effectiveUid() + " (" + System.getProperty("user.name")
                                + ") on listener shared may not GET /v1/version"));
    }

    private AccessPolicy policy(String rules) throws IOException {
        Path file = dir.resolve("rules.yaml");
        Files.writeString(file, "listeners:\n  - name: x\n    path: /run/x.sock\n    rules:\n" + rules.indent(6));
        return ConfigFileLoader.load(file).listeners().get(0).access();
    }

    private static ListenerConfig listener(Path path, AccessPolicy access) {
        return new ListenerConfig(
                "shared",
                path,
                FileMode.parse("0666"),
                Optional.empty(),
                ListenerConfig.DEFAULT_BACKLOG,
                ConnectionLimits.defaults(),
                Optional.empty(),
                Exposure.EVERYTHING,
                access);
    }

    /** curl's body for a GET, run as {@code asUser} (a command prefix such as setpriv's), or as this user. */
    private static String curl(Path socket, String path, String... asUser) throws Exception {
        List<String> command = new ArrayList<>(List.of(asUser));
        if (asUser.length > 0) {
            command.add("--");
        }
        command.addAll(List.of(
                CURL.toString(),
                "-s",
                "--max-time",
                "5",
                "--unix-socket",
                socket.toString(),
                "http://localhost" + path));
        Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(curl.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
