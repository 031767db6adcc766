package dev.udsgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.udsgate.config.ConnectionLimits;
import dev.udsgate.config.DurationText;
import dev.udsgate.config.FileMode;
import dev.udsgate.config.GatewayConfig;
import dev.udsgate.config.HistoryLimits;
import dev.udsgate.config.ListenerConfig;
import dev.udsgate.config.LogFormat;
import dev.udsgate.testing.ServerProcess;
import dev.udsgate.testing.SocketFixtures;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code udsgate} as a person runs it: what it prints and how it exits. */
class CommandLineTest {

    @TempDir
    Path dir;

    private String run(int expectedExit, String... args) {
        Path output = dir.resolve("output.txt");
        int exit = ServerProcess.run(output, Main.class, args);
        String printed = readString(output);
        assertThat(exit).as("exit code; printed:\n" + printed).isEqualTo(expectedExit);
        return printed;
    }

    /** A failure is one plain line: no stack trace, no usage dump. */
    private static void assertOneLineError(String printed, String expected) {
        assertThat(printed.strip().lines()).as(printed).hasSize(1);
        assertThat(printed)
                .startsWith("udsgate: ")
                .contains(expected)
                .doesNotContain("\tat ")
                .doesNotContain("Exception");
    }

    @Test
    void helpListsTheServeOptions() {
        String printed = run(0, "serve", "--help");
        assertThat(printed)
                .contains(
                        "--socket=PATH",
                        "--mode=MODE",
                        "--group=NAME|GID",
                        "--backlog=N",
                        "--shutdown-timeout=DURATION");
    }

    @Test
    void topLevelHelpAndVersion() {
        assertThat(run(0, "--help")).contains("serve");
        assertThat(run(0, "--version")).startsWith("udsgate 0.").contains("API 1.0");
    }

    @Test
    void noCommandIsAUsageError() {
        assertOneLineError(run(2), "a command is needed");
    }

    @Test
    void badModeIsAUsageError() {
        assertOneLineError(run(2, "serve", "--socket", dir.resolve("s.sock").toString(), "--mode", "0999"), "--mode");
        assertOneLineError(run(2, "serve", "--socket", dir.resolve("s.sock").toString(), "--mode", "4755"), "setuid");
    }

    @Test
    void badDurationAndBacklogAreUsageErrors() {
        assertOneLineError(run(2, "serve", "--shutdown-timeout", "soon"), "write it as 10s, 500ms, 2m or 1h");
        assertOneLineError(
                run(2, "serve", "--socket", dir.resolve("s.sock").toString(), "--backlog", "0"),
                "--backlog must be between 1 and 65535");
    }

    @Test
    void eachValueOutOfRangeNamesItsFlag() {
        String socket = dir.resolve("s.sock").toString();
        assertOneLineError(
                run(2, "serve", "--socket", socket, "--idle-timeout", "0s"),
                "--idle-timeout must be at least 1ms, got 0s");
        assertOneLineError(
                run(2, "serve", "--socket", socket, "--event-queue", "0"),
                "--event-queue must be between 1 and 1000000, got 0");
        assertOneLineError(
                run(2, "serve", "--socket", socket, "--connection-history", "-1"),
                "--connection-history must be between 1 and 1000000, got -1");
        assertOneLineError(
                run(2, "serve", "--socket", socket, "--event-history", "1000001"),
                "--event-history must be between 1 and 1000000, got 1000001");
    }

    @Test
    void aGroupThatDoesNotExistIsAUsageError() throws Exception {
        Path socket = dir.resolve("s.sock");
        assertOneLineError(
                run(2, "serve", "--socket", socket.toString(), "--group", "nosuchgroup"),
                "--group: no group named nosuchgroup; give an existing group name or a numeric gid");
        Path config = dir.resolve("udsgate.yaml");
        java.nio.file.Files.writeString(config, "group: nosuchgroup\n");
        assertOneLineError(
                run(2, "serve", "--socket", socket.toString(), "--config", config.toString()),
                "group in " + config + ": no group named nosuchgroup");
        assertThat(socket).doesNotExist();
    }

    @Test
    void aStateFileInAFolderThatDoesNotExistFailsTheStartInOneLine() {
        Path state = dir.resolve("absent").resolve("routes.json");
        assertOneLineError(
                run(1, "serve", "--socket", dir.resolve("s.sock").toString(), "--state-file", state.toString()),
                "cannot keep routes in " + state + ": folder " + state.getParent()
                        + " does not exist; create it or choose another --state-file");
        assertThat(dir.resolve("s.sock")).doesNotExist();
    }

    @Test
    void helpWrapsParagraphsAtWordsNotMidSentence() {
        List<String> lines = run(0, "serve", "--help").lines().toList();
        int description = lines.indexOf("Serve the udsgate API on a Unix domain socket until SIGTERM or SIGINT.");
        int options = lines.indexOf(lines.stream()
                .filter(l -> l.startsWith("      --") || l.startsWith("  -"))
                .findFirst()
                .orElseThrow());
        assertThat(description).isNotNegative();
        for (int i = description; i < options - 1; i++) {
            if (!lines.get(i).isBlank() && !lines.get(i + 1).isBlank()) {
                assertThat(lines.get(i).length())
                        .as("a line wrapped early, before '" + lines.get(i + 1) + "'")
                        .isGreaterThan(60);
            }
        }
        assertThat(String.join(" ", lines)).contains("2 bad arguments or configuration");
    }

    @Test
    void serveHelpShowsTheDefaultOfEveryOptionAndFitsEightyColumns() throws Exception {
        String help = helpWithoutColumns("serve");

        assertThat(help.lines())
                .allSatisfy(line -> assertThat(line.length())
                        .as("longer than 80 columns: " + line)
                        .isLessThanOrEqualTo(80));
        Map<String, String> options = optionDescriptions(help);
        List<String> every = new CommandLine(new ServeCommand())
                .getCommandSpec().options().stream()
                        .map(option -> option.longestName())
                        .toList();
        assertThat(options.keySet()).containsExactlyInAnyOrderElementsOf(every);
        options.forEach((name, text) -> {
            if (!name.equals("--help") && !name.equals("--version")) {
                assertThat(text).as(name).contains("(default: ");
            }
        });
        Map<String, Object> defaults = Map.ofEntries(
                Map.entry("--backlog", ListenerConfig.DEFAULT_BACKLOG),
                Map.entry("--mode", FileMode.DEFAULT_SOCKET_MODE.octal()),
                Map.entry("--shutdown-timeout", DurationText.format(GatewayConfig.DEFAULT_SHUTDOWN_TIMEOUT)),
                Map.entry("--idle-timeout", DurationText.format(GatewayConfig.DEFAULT_IDLE_TIMEOUT)),
                Map.entry("--header-timeout", DurationText.format(GatewayConfig.DEFAULT_HEADER_TIMEOUT)),
                Map.entry("--connection-history", HistoryLimits.DEFAULTS.closedConnections()),
                Map.entry("--event-history", HistoryLimits.DEFAULTS.events()),
                Map.entry("--event-queue", HistoryLimits.DEFAULTS.subscriberQueue()),
                Map.entry("--max-connections-per-user", ConnectionLimits.DEFAULT_MAX_CONNECTIONS_PER_USER),
                Map.entry("--log-format", LogFormat.DEFAULT.label()),
                Map.entry("--access-log", "none"),
                Map.entry("--state-file", "none"),
                Map.entry("--config", "none"),
                Map.entry("--fast-path", "on"));
        defaults.forEach((name, value) -> assertThat(options.get(name)).as(name).contains("(default: " + value));
    }

    /** Each option's long name and its description, unwrapped: the help's option list read back. */
    private static Map<String, String> optionDescriptions(String help) {
        Map<String, String> options = new LinkedHashMap<>();
        String current = null;
        for (String line : help.lines().toList()) {
            if (line.startsWith("  -") || line.startsWith("      --")) {
                String names = line.strip().split("\\s{2,}")[0];
                current =
                        names.replaceAll(".*, ", "").replaceAll("[=\\s].*", "").replace("[no-]", "");
                options.put(current, line.strip().substring(names.length()).strip());
            } else if (current != null && line.startsWith("    ")) {
                options.merge(current, line.strip(), (before, more) -> before + " " + more);
            } else {
                current = null;
            }
        }
        return options;
    }

    /** {@code udsgate ARGS --help} as printed to a pipe, without COLUMNS in its environment. */
    private String helpWithoutColumns(String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        args.addAll(List.of(command));
        args.add("--help");
        ProcessBuilder builder = new ProcessBuilder(args).redirectErrorStream(true);
        builder.environment().remove("COLUMNS");
        Process process = builder.start();
        String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(printed).isZero();
        return printed;
    }

    @Test
    void badLimitsAreUsageErrorsThatNameTheFlag() {
        String socket = dir.resolve("s.sock").toString();
        assertOneLineError(
                run(2, "serve", "--socket", socket, "--max-connections", "0"),
                "--max-connections must be between 1 and 1000000, got 0");
        assertOneLineError(
                run(2, "serve", "--socket", socket, "--max-connections-per-user", "-3"),
                "--max-connections-per-user must be between 1 and 1000000, got -3");
        assertOneLineError(
                run(2, "serve", "--socket", socket, "--header-timeout", "0s"),
                "--header-timeout must be at least 1ms, got 0s");
    }

    @Test
    void moreConnectionsThanFileDescriptorsIsAUsageErrorThatSaysWhatToDo() {
        String printed = run(2, "serve", "--socket", dir.resolve("s.sock").toString(), "--max-connections", "1000000");
        assertOneLineError(printed, "--max-connections is 1000000, more than the");
        assertThat(printed).contains("raise ulimit -n or lower --max-connections");
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertOneLineError(run(2, "serve", "--sockett", "/tmp/x.sock"), "--sockett");
    }

    @Test
    void missingFolderFailsTheStartInOneLine() {
        Path socket = dir.resolve("absent").resolve("udsgate.sock");
        assertOneLineError(
                run(1, "serve", "--socket", socket.toString()), "folder " + socket.getParent() + " does not exist");
    }

    @Test
    void watchingTheConfigFileWithoutOneIsAUsageError() {
        assertOneLineError(
                run(2, "serve", "--socket", dir.resolve("s.sock").toString(), "--watch-config"),
                "--watch-config watches the --config file: give --config FILE too");
    }

    @Test
    void tooLongPathFailsTheStartInOneLine() {
        Path socket = dir.resolve("x".repeat(120));
        assertOneLineError(run(1, "serve", "--socket", socket.toString()), "at most 106 bytes");
    }

    @Test
    void liveSocketFailsTheStartInOneLine() throws Exception {
        Path socket = dir.resolve("taken.sock");
        try (ServerSocketChannel other = SocketFixtures.liveSocketAt(socket)) {
            assertOneLineError(
                    run(1, "serve", "--socket", socket.toString()), "another server is listening on " + socket);
            assertThat(SocketFixtures.connects(socket)).isTrue();
        }
    }

    @Test
    void aConfigFileErrorNamesTheFileTheKeyPathAndTheReason() throws Exception {
        Path config = dir.resolve("udsgate.yaml");
        java.nio.file.Files.writeString(
                config, "routes:\n  - name: app\n    pathPrefix: /\n    upstreams: [\"unix:relative.sock\"]\n");

        String printed = run(2, "serve", "--socket", dir.resolve("s.sock").toString(), "--config", config.toString());

        assertOneLineError(
                printed, config + ": routes[0].upstreams[0]: \"unix:relative.sock\" must be an absolute path");
    }

    @Test
    void flagsOverrideTheConfigFile() throws Exception {
        Path config = dir.resolve("udsgate.yaml");
        java.nio.file.Files.writeString(config, "socket: " + dir.resolve("from-file.sock") + "\nmode: \"0600\"\n");

        // The socket the flag names, in a folder that does not exist, is the one tried.
        Path flagged = dir.resolve("absent").resolve("flag.sock");
        String printed = run(1, "serve", "--config", config.toString(), "--socket", flagged.toString());
        assertOneLineError(printed, "absent does not exist");
        assertThat(dir.resolve("from-file.sock")).doesNotExist();
    }

    @Test
    void aFileWithListenersTakesNoListenerFlagsAndNamesAMissingOwner() throws Exception {
        Path config = dir.resolve("udsgate.yaml");
        java.nio.file.Files.writeString(
                config,
                "listeners:\n  - name: admin\n    path: " + dir.resolve("admin.sock") + "\n"
                        + "  - name: shared\n    path: " + dir.resolve("shared.sock") + "\n    owner: nosuchuser\n");

        assertOneLineError(
                run(
                        2,
                        "serve",
                        "--config",
                        config.toString(),
                        "--socket",
                        dir.resolve("s.sock").toString()),
                "--socket, --mode, --group and --backlog describe the one listener main, and " + config
                        + " describes its listeners itself: give them there");
        assertOneLineError(
                run(2, "serve", "--config", config.toString()),
                "listener shared's owner: no user named nosuchuser; give an existing user name or a numeric uid");
        assertThat(dir.resolve("admin.sock")).doesNotExist();
    }

    @Test
    void aListenerThatCannotStartIsNamedAndStopsTheStart() throws Exception {
        Path config = dir.resolve("udsgate.yaml");
        java.nio.file.Files.writeString(
                config,
                "listeners:\n  - name: admin\n    path: " + dir.resolve("admin.sock") + "\n"
                        + "  - name: shared\n    path: " + dir.resolve("absent").resolve("shared.sock") + "\n");

        assertOneLineError(run(1, "serve", "--config", config.toString()), "listener shared: ");
        assertThat(dir.resolve("admin.sock"))
                .as("the listener that started is withdrawn")
                .doesNotExist();
    }

    private static String readString(Path path) {
        try {
            return java.nio.file.Files.readString(path);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void checkConfigSaysAGoodFileIsGoodInOneLine() throws Exception {
        Path config = dir.resolve("udsgate.yaml");
        java.nio.file.Files.writeString(
                config,
                "socket: " + dir.resolve("u.sock")
                        + "\nroutes:\n  - {name: a, host: a, upstreams: [\"unix:/run/a.sock\"]}\n");

        String printed = run(0, "check-config", config.toString());

        assertThat(printed.strip().lines()).as(printed).hasSize(1);
        assertThat(printed).contains(config + " is a good config: 1 listener").contains("1 route");
    }

    @Test
    void checkConfigReportsEveryErrorOfABadFileAndExitsTwo() throws Exception {
        Path config = dir.resolve("bad.yaml");
        java.nio.file.Files.writeString(config, "mode: 0999\nroutes:\n  - {name: a}\n");

        String printed = run(2, "check-config", config.toString());

        assertThat(printed)
                .startsWith("udsgate: ")
                .contains("mode")
                .contains("routes[0]")
                .doesNotContain("\tat ");
    }

    @Test
    void aCompletionScriptIsGeneratedForTheCommands() {
        String printed = run(0, "generate-completion");

        assertThat(printed).contains("complete -F").contains("serve").contains("check-config");
    }
}
