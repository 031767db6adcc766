package dev.udsgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileLoaderTest {

    private static final String FULL = """
            socket: /run/udsgate.sock
            mode: "0660"
            group: docker
            backlog: 512
            shutdownTimeout: 10s
            idleTimeout: 30s
            headerTimeout: 5s
            maxConnections: 4000
            maxConnectionsPerUser: 100
            connectionHistory: 256
            eventHistory: 1024
            eventQueue: 2048
            stateFile: /var/lib/udsgate/state.json
            routes:
              - name: billing
                host: billing
                pathPrefix: /
                stripPrefix: false
                upstreams: ["unix:/run/billing.sock", "http://127.0.0.1:8081"]
                connectTimeout: 5s
                responseTimeout: 60s
                healthCheck: {path: /health, interval: 5s, timeout: 2s, healthyThreshold: 2, unhealthyThreshold: 3}
              - name: docs
                pathPrefix: /docs
                stripPrefix: true
                upstreams: ["unix:/run/docs.sock"]
            """;

    private static final String ROUTE_KEYS =
            "name, host, pathPrefix, stripPrefix, upstreams, connectTimeout, responseTimeout, healthCheck, identityHeaders";

    @TempDir
    Path dir;

    @Test
    void fullFileGivesEveryValue() throws IOException {
        ConfigFile config = ConfigFileLoader.load(write("udsgate.yaml", FULL));

        assertThat(config.socket()).contains(Path.of("/run/udsgate.sock"));
        assertThat(config.mode()).contains(new FileMode(0660));
        assertThat(config.group()).contains("docker");
        assertThat(config.backlog()).contains(512);
        assertThat(config.shutdownTimeout()).contains(Duration.ofSeconds(10));
        assertThat(config.idleTimeout()).contains(Duration.ofSeconds(30));
        assertThat(config.headerTimeout()).contains(Duration.ofSeconds(5));
        assertThat(config.maxConnections()).contains(4000);
        assertThat(config.maxConnectionsPerUser()).contains(100);
        assertThat(config.connectionHistory()).contains(256);
        assertThat(config.eventHistory()).contains(1024);
        assertThat(config.eventQueue()).contains(2048);
        assertThat(config.stateFile()).contains(Path.of("/var/lib/udsgate/state.json"));
        assertThat(config.routes()).hasSize(2);

        RouteConfig billing = config.routes().get(0);
        assertThat(billing.name()).isEqualTo("billing");
        assertThat(billing.host()).contains("billing");
        assertThat(billing.pathPrefix()).isEqualTo("/");
        assertThat(billing.stripPrefix()).isFalse();
        assertThat(billing.upstreams())
                .extracting(UpstreamAddress::text)
                .containsExactly("unix:/run/billing.sock", "http://127.0.0.1:8081");
        assertThat(billing.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(billing.responseTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(billing.healthCheck())
                .contains(new HealthCheckConfig("/health", Duration.ofSeconds(5), Duration.ofSeconds(2), 2, 3));

        RouteConfig docs = config.routes().get(1);
        assertThat(docs.host()).isEmpty();
        assertThat(docs.pathPrefix()).isEqualTo("/docs");
        assertThat(docs.stripPrefix()).isTrue();
        assertThat(docs.connectTimeout()).isEqualTo(RouteConfig.DEFAULT_CONNECT_TIMEOUT);
        assertThat(docs.healthCheck()).isEmpty();
    }

    @Test
    void keysLeftOutStayEmptySoTheCommandLineDecides() throws IOException {
        ConfigFile config = ConfigFileLoader.load(write("udsgate.yaml", "backlog: 128\n"));

        assertThat(config)
                .isEqualTo(new ConfigFile(
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.of(128),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        List.of(),
                        List.of()));
    }

    @Test
    void jsonIsAcceptedEvenIndentedWithTabs() throws IOException {
        String json = "{\n\t\"socket\": \"/run/udsgate.sock\",\n\t\"mode\": \"0600\",\n\t\"backlog\": 64,\n"
                + "\t\"routes\": [\n\t\t{\"name\": \"billing\", \"host\": \"billing\","
                + " \"upstreams\": [\"unix:/run/billing.sock\"]}\n\t]\n}\n";

        ConfigFile config = ConfigFileLoader.load(write("udsgate.json", json));

        assertThat(config.socket()).contains(Path.of("/run/udsgate.sock"));
        assertThat(config.mode()).contains(new FileMode(0600));
        assertThat(config.backlog()).contains(64);
        assertThat(config.routes()).extracting(RouteConfig::name).containsExactly("billing");
    }

    @Test
    void aJsonFileIsReadAsStrictJsonNotAsYaml() throws IOException {
        String trailingComma = "{\n  \"socket\": \"/run/udsgate.sock\",\n}\n";

        for (String name : List.of("udsgate.json", "UDSGATE.JSON")) {
            assertThat(invalid(write(name, trailingComma)).errors())
                    .extracting(FieldError::toString)
                    .singleElement()
                    .asString()
                    .startsWith("(file): is not valid JSON: line 3, column 1: Unexpected character ('}'");
        }
        assertThat(invalid(write("flow.json", "{socket: /run/udsgate.sock}\n")).errors())
                .extracting(FieldError::toString)
                .singleElement()
                .asString()
                .startsWith("(file): is not valid JSON: line 1, column 2: Unexpected character ('s'");
        // The same text in a YAML file is YAML's to read.
        assertThat(ConfigFileLoader.load(write("udsgate.yaml", trailingComma)).socket())
                .contains(Path.of("/run/udsgate.sock"));
    }

    @Test
    void aJsonFilesErrorsUseJsonsWords() throws IOException {
        Path file = write("udsgate.json", "{\"routes\": [null, {\"name\": \"a\", \"healthCheck\": []}]}");

        assertThat(invalid(file).errors())
                .extracting(FieldError::toString)
                .contains(
                        "routes[0]: must be a route: an object with keys name, host, pathPrefix, stripPrefix,"
                                + " upstreams, connectTimeout, responseTimeout, healthCheck, identityHeaders, got null",
                        "routes[1].healthCheck: must be an object with keys path, interval, timeout,"
                                + " healthyThreshold, unhealthyThreshold, got an array");
    }

    @Test
    void yamlFlowMappingThatIsNotJsonIsStillRead() throws IOException {
        ConfigFile config = ConfigFileLoader.load(write("udsgate.yaml", "{socket: /run/udsgate.sock, mode: 0640}\n"));

        assertThat(config.socket()).contains(Path.of("/run/udsgate.sock"));
        assertThat(config.mode()).contains(new FileMode(0640));
    }

    @Test
    void unquotedModeMeansTheOctalDigitsAsWritten() throws IOException {
        // YAML 1.1 reads a bare 0660 as octal, the number 432; the file means chmod's 0660.
        for (String written : List.of("0660", "660", "\"0660\"", "'660'", "0o660")) {
            ConfigFile config = ConfigFileLoader.load(write("udsgate.yaml", "mode: " + written + "\n"));

            assertThat(config.mode()).as(written).contains(new FileMode(0660));
        }
    }

    @Test
    void modeThatIsNotOctalIsReported() throws IOException {
        assertThat(errors("mode: 0x1B0\n"))
                .containsExactly("mode: mode must be octal permission bits such as 0660 or 0600, got '0x1B0'");
        assertThat(errors("mode: 4755\n"))
                .containsExactly("mode: mode 4755 sets setuid, setgid or sticky bits; only 0000 to 0777 is allowed");
    }

    @Test
    void unknownTopLevelKeyIsReportedWithTheKnownKeys() throws IOException {
        assertThat(errors("socket: /run/udsgate.sock\nshutdown-timeout: 5s\n"))
                .containsExactly("shutdown-timeout: unknown key; known keys: socket, mode, group, backlog,"
                        + " shutdownTimeout, idleTimeout, headerTimeout, maxConnections, maxConnectionsPerUser,"
                        + " connectionHistory, eventHistory, eventQueue, stateFile, fastPath, accessLog, logFormat, watchConfig, listeners,"
                        + " routes");
    }

    @Test
    void theLogFormatIsTextOrJson() throws IOException {
        assertThat(ConfigFileLoader.load(write("udsgate.yaml", "logFormat: json\n"))
                        .logFormat())
                .contains(LogFormat.JSON);
        assertThat(errors("logFormat: xml\n")).containsExactly("logFormat: must be text or json, got \"xml\"");
    }

    @Test
    void unknownRouteKeyIsReportedAtItsPath() throws IOException {
        String yaml = """
                routes:
                  - name: billing
                    host: billing
                    upstreams: ["unix:/run/billing.sock"]
                  - name: docs
                    host: docs
                    upstream: "unix:/run/docs.sock"
                """;

        assertThat(errors(yaml))
                .containsExactly(
                        "routes[1].upstream: unknown key; known keys: " + ROUTE_KEYS,
                        "routes[1].upstreams: at least one upstream is needed, such as [\"unix:/run/app.sock\"]");
    }

    @Test
    void unknownHealthCheckKeyIsReportedAtItsPath() throws IOException {
        String yaml = """
                routes:
                  - name: billing
                    host: billing
                    upstreams: ["unix:/run/billing.sock"]
                    healthCheck: {path: /health, intervall: 5s}
                """;

        assertThat(errors(yaml))
                .containsExactly("routes[0].healthCheck.intervall: unknown key; known keys: path, interval, timeout,"
                        + " healthyThreshold, unhealthyThreshold");
    }

    @Test
    void relativeUnixUpstreamIsReportedAtItsIndex() throws IOException {
        String yaml = """
                routes:
                  - {name: a, host: a, upstreams: ["unix:/run/a.sock"]}
                  - {name: b, host: b, upstreams: ["unix:/run/b.sock"]}
                  - {name: c, host: c, upstreams: ["unix:relative.sock", "unix:/run/c.sock"]}
                """;

        assertThat(errors(yaml))
                .containsExactly(
                        "routes[2].upstreams[0]: \"unix:relative.sock\" must be an absolute path, such as \"unix:/run/app.sock\"");
    }

    @Test
    void routeShadowingTheApiIsReportedAtItsPathPrefix() throws IOException {
        String yaml = """
                routes:
                  - name: api
                    pathPrefix: /v1
                    upstreams: ["unix:/run/api.sock"]
                """;

        assertThat(errors(yaml))
                .containsExactly(
                        "routes[0].pathPrefix: \"/v1\" would shadow udsgate's own API (/_ping, /metrics, /v1/...):"
                                + " choose another prefix");
    }

    @Test
    void badDurationIsReportedAtItsPath() throws IOException {
        String yaml = """
                shutdownTimeout: 10 seconds
                routes:
                  - name: billing
                    host: billing
                    upstreams: ["unix:/run/billing.sock"]
                    connectTimeout: 5
                """;

        assertThat(errors(yaml))
                .containsExactly(
                        "shutdownTimeout: '10 seconds' is not a duration; write it as 10s, 500ms, 2m or 1h",
                        "routes[0].connectTimeout: '5' is not a duration; write it as 10s, 500ms, 2m or 1h");
    }

    @Test
    void wrongTypeIsReportedWithWhatWasExpected() throws IOException {
        assertThat(errors("backlog: many\n")).containsExactly("backlog: must be a whole number, got \"many\"");
        assertThat(errors("eventQueue: 1.5\n")).containsExactly("eventQueue: must be a whole number, got 1.5");
        assertThat(errors("socket: [/run/a.sock]\n"))
                .containsExactly("socket: must be an absolute path, such as /run/udsgate.sock, got a list");
        assertThat(errors("routes: {name: billing}\n"))
                .containsExactly("routes: must be a list of routes, got a mapping");
    }

    @Test
    void wrongTypeInARouteIsReportedOnceNotAgainAsMissing() throws IOException {
        String yaml = """
                routes:
                  - name: [billing]
                    host: billing
                    stripPrefix: "yes please"
                    upstreams: ["unix:/run/billing.sock", {socket: /run/other.sock}]
                  - billing
                """;

        assertThat(errors(yaml))
                .containsExactly(
                        "routes[0].name: must be a name such as \"billing\", got a list",
                        "routes[0].stripPrefix: must be true or false, got \"yes please\"",
                        "routes[0].upstreams[1]: must be an address such as \"unix:/run/app.sock\", got a mapping",
                        "routes[1]: must be a route: a mapping with keys " + ROUTE_KEYS + ", got \"billing\"");
    }

    @Test
    void valuesOutOfRangeAreReported() throws IOException {
        String yaml = """
                socket: run/udsgate.sock
                backlog: 0
                idleTimeout: 0s
                headerTimeout: 0ms
                maxConnections: 0
                maxConnectionsPerUser: 1000001
                connectionHistory: 1000001
                eventHistory: -1
                eventQueue: 99999999999999999999
                stateFile: state.json
                group: ""
                """;

        assertThat(errors(yaml))
                .containsExactly(
                        "socket: must be an absolute path, such as /run/udsgate.sock, got \"run/udsgate.sock\"",
                        "group: must be a group name or a numeric gid, got \"\"",
                        "backlog: must be between 1 and 65535, got 0",
                        "idleTimeout: must be at least 1ms, got 0s",
                        "headerTimeout: must be at least 1ms, got 0ms",
                        "maxConnections: must be between 1 and 1000000, got 0",
                        "maxConnectionsPerUser: must be between 1 and 1000000, got 1000001",
                        "connectionHistory: must be between 1 and 1000000, got 1000001",
                        "eventHistory: must be between 1 and 1000000, got -1",
                        "eventQueue: must be between 1 and 1000000, got 99999999999999999999",
                        "stateFile: must be an absolute path, such as /var/lib/udsgate/state.json, got \"state.json\"");
    }

    @Test
    void wholeNumberWithALeadingZeroIsRefusedBecauseYamlReadsItAsOctal() throws IOException {
        assertThat(errors("backlog: 0512\n"))
                .containsExactly(
                        "backlog: must be written without a leading zero, got 0512, which YAML reads as the octal 330");
    }

    @Test
    void numericGroupIsKeptAsWritten() throws IOException {
        assertThat(ConfigFileLoader.load(write("udsgate.yaml", "group: 0100\n")).group())
                .contains("0100");
        assertThat(ConfigFileLoader.load(write("udsgate.yaml", "group: 998\n")).group())
                .contains("998");
    }

    @Test
    void keyWithNoValueIsAnErrorNotADefault() throws IOException {
        assertThat(errors("group:\nidleTimeout: ~\n"))
                .containsExactly(
                        "group: must be a group name or a numeric gid, got nothing",
                        "idleTimeout: must be a duration such as 10s, 500ms, 2m or 1h, got nothing");
    }

    @Test
    void keyGivenTwiceIsReportedWithBothLines() throws IOException {
        assertThat(errors("backlog: 128\nmode: \"0600\"\nbacklog: 256\n"))
                .containsExactly("backlog: is given twice, at lines 1 and 3; keep one");
    }

    @Test
    void yamlAliasIsRefusedRatherThanMisread() throws IOException {
        assertThat(errors("socket: &where /run/udsgate.sock\nstateFile: *where\n"))
                .containsExactly("stateFile: must be an absolute path, such as /var/lib/udsgate/state.json, got the"
                        + " alias *where, which udsgate does not expand; write the value out");
    }

    @Test
    void everyProblemIsReportedAtOnce() throws IOException {
        String yaml = """
                socket: relative.sock
                backlog: many
                idelTimeout: 30s
                routes:
                  - name: Billing
                    host: billing
                    upstreams: ["unix:relative.sock"]
                    connectTimeout: soon
                  - name: api
                    pathPrefix: /v1
                    upstreams: ["http://example.com:80"]
                """;

        InvalidConfigException e = invalid(write("udsgate.yaml", yaml));

        assertThat(e.errors())
                .extracting(FieldError::path)
                .containsExactly(
                        "idelTimeout",
                        "socket",
                        "backlog",
                        "routes[0].name",
                        "routes[0].upstreams[0]",
                        "routes[0].connectTimeout",
                        "routes[1].pathPrefix",
                        "routes[1].upstreams[0]");
        assertThat(e.getMessage()).startsWith(dir.resolve("udsgate.yaml") + ": idelTimeout: unknown key;");
    }

    @Test
    void missingFileIsReportedPlainly() {
        Path missing = dir.resolve("nowhere.yaml");

        InvalidConfigException e = invalid(missing);

        assertThat(e.errors()).containsExactly(new FieldError("(file)", "does not exist"));
        assertThat(e.getMessage()).isEqualTo(missing + ": (file): does not exist");
    }

    @Test
    void directoryIsReportedPlainly() {
        assertThat(invalid(dir).errors()).containsExactly(new FieldError("(file)", "is a directory, not a file"));
    }

    @Test
    void unreadableFileIsReportedPlainly() throws IOException {
        Path file = write("udsgate.yaml", "backlog: 1\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(file), "root reads any file");

        assertThat(invalid(file).errors())
                .containsExactly(new FieldError("(file)", "cannot be read: permission denied"));
    }

    @Test
    void fileThatIsNotUtf8IsReportedPlainly() throws IOException {
        Path file = Files.write(dir.resolve("udsgate.yaml"), new byte[] {'a', ':', ' ', (byte) 0xC3, '\n'});

        assertThat(invalid(file).errors()).containsExactly(new FieldError("(file)", "is not UTF-8 text"));
    }

    @Test
    void yamlSyntaxErrorGivesLineAndColumn() throws IOException {
        String yaml = "socket: /run/udsgate.sock\nroutes: [\n  {name: billing}\nbacklog: 1\n";

        assertThat(errors(yaml))
                .containsExactly("(file): is not valid YAML: line 4, column 1: expected ',' or ']', but got <scalar>"
                        + " (while parsing a flow sequence at line 2, column 9)");
    }

    @Test
    void jsonSyntaxErrorGivesLineAndColumn() throws IOException {
        String json = "{\n  \"socket\": \"/run/udsgate.sock\"\n  \"backlog\": 1\n}\n";

        assertThat(errors(json))
                .containsExactly("(file): is not valid JSON: line 3, column 3: Unexpected character ('\"' (code 34)):"
                        + " was expecting comma to separate Object entries");
    }

    @Test
    void secondYamlDocumentIsRefused() throws IOException {
        assertThat(errors("socket: /run/a.sock\n---\nsocket: /run/b.sock\n"))
                .containsExactly(
                        "(file): holds a second document at line 3; udsgate reads one, so put everything in it");
    }

    @Test
    void topLevelThatIsNotAMappingIsReported() throws IOException {
        assertThat(errors("- socket: /run/udsgate.sock\n"))
                .containsExactly("(file): must be a mapping of keys such as socket: and routes:, got a list");
    }

    @Test
    void emptyFileIsAnEmptyConfig() throws IOException {
        assertThat(ConfigFileLoader.load(write("empty.yaml", ""))).isEqualTo(ConfigFile.empty());
        assertThat(ConfigFileLoader.load(write("comments.yaml", "# nothing yet\n\n")))
                .isEqualTo(ConfigFile.empty());
        assertThat(ConfigFileLoader.load(write("marker.yaml", "---\n"))).isEqualTo(ConfigFile.empty());
    }

    @Test
    void listenersAreReadWithWhatEachOffers() throws IOException {
        ConfigFile config = ConfigFileLoader.load(write("udsgate.yaml", """
                listeners:
                  - name: admin
                    path: /run/udsgate.sock
                    mode: "0600"
                  - name: containers
                    path: /run/udsgate-containers.sock
                    mode: "0666"
                    owner: nobody
                    group: "65534"
                    backlog: 64
                    api: read-only
                    routes: [billing, users]
                  - name: docker
                    path: /run/docker-front.sock
                    api: none
                    routes: all
                """));

        assertThat(config.listeners())
                .extracting(ListenerDocument::name)
                .containsExactly("admin", "containers", "docker");
        ListenerDocument containers = config.listeners().get(1);
        assertThat(containers.mode()).contains(FileMode.parse("0666"));
        assertThat(containers.owner()).contains("nobody");
        assertThat(containers.group()).contains("65534");
        assertThat(containers.backlog()).contains(64);
        assertThat(containers.exposure())
                .isEqualTo(new Exposure(Exposure.Api.READ_ONLY, Optional.of(Set.of("billing", "users"))));
        assertThat(config.listeners().get(0).exposure()).isEqualTo(Exposure.EVERYTHING);
        assertThat(config.listeners().get(2).exposure()).isEqualTo(new Exposure(Exposure.Api.NONE, Optional.empty()));
    }

    @Test
    void theMetricsAreServedWhereTheWholeApiIsUnlessAListenerSaysOtherwise() throws IOException {
        ConfigFile config = ConfigFileLoader.load(write("udsgate.yaml", """
                listeners:
                  - {name: admin, path: /run/udsgate.sock}
                  - {name: containers, path: /run/udsgate-containers.sock, api: read-only}
                  - {name: docker, path: /run/docker-front.sock, api: none}
                  - {name: scrape, path: /run/udsgate-scrape.sock, api: read-only, routes: [], metrics: true}
                  - {name: quiet, path: /run/udsgate-quiet.sock, metrics: false}
                """));

        assertThat(config.listeners())
                .extracting(listener -> listener.exposure().metrics())
                .containsExactly(true, false, false, true, false);
    }

    @Test
    void metricsOnAListenerWithoutTheApiOrNotABooleanIsReportedAtItsPath() throws IOException {
        assertThat(errors("""
                        listeners:
                          - {name: admin, path: /run/udsgate.sock, metrics: maybe}
                          - {name: docker, path: /run/docker-front.sock, api: none, metrics: true}
                        """))
                .containsExactly(
                        "listeners[0].metrics: must be true or false, got \"maybe\"",
                        "listeners[1].metrics: can only be true on a listener that offers the API (api: full or"
                                + " read-only): with api: none, every path, /metrics too, goes to the routes");
    }

    @Test
    void everyMistakeInTheListenersIsReportedAtItsPath() throws IOException {
        assertThat(errors("""
                        socket: /run/udsgate.sock
                        listeners:
                          - name: Admin
                            path: relative.sock
                            api: everything
                          - name: b
                            path: /run/b.sock
                          - name: b
                            path: /run/c.sock
                          - path: /run/d.sock
                            port: 80
                            routes: [ok, "Not A Name"]
                        """))
                .containsExactlyInAnyOrder(
                        "listeners: cannot be combined with the top-level socket, which describe the one listener"
                                + " main: describe it in listeners instead",
                        "listeners[0].name: must be 1 to 64 lower-case letters, digits and dashes, such as"
                                + " \"billing\"; got \"Admin\"",
                        "listeners[0].path: must be an absolute path, such as /run/udsgate.sock, got \"relative.sock\"",
                        "listeners[0].api: must be full, read-only or none, got \"everything\"",
                        "listeners[3].routes[1]: must be 1 to 64 lower-case letters, digits and dashes, such as"
                                + " \"billing\"; got \"Not A Name\"",
                        "listeners[2].name: \"b\" names another listener too; names must be unique",
                        "listeners[3].port: unknown key; known keys: name, path, mode, owner, group, backlog, api,"
                                + " routes, metrics, access, rules",
                        "listeners[3].name: is missing: every listener has a name, such as \"admin\"");
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private List<String> errors(String content) throws IOException {
        return invalid(write("udsgate.yaml", content)).errors().stream()
                .map(FieldError::toString)
                .toList();
    }

    private static InvalidConfigException invalid(Path file) {
        InvalidConfigException e =
                catchThrowableOfType(InvalidConfigException.class, () -> ConfigFileLoader.load(file));
        assertThat(e).as("an InvalidConfigException from " + file).isNotNull();
        return e;
    }
}
