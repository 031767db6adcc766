package dev.udsgate.packaged;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.udsgate.config.ConfigFileLoader;
import dev.udsgate.config.FileMode;
import dev.udsgate.packaged.ComposeProject.Ids;
import dev.udsgate.packaged.ComposeProject.Image;
import dev.udsgate.packaged.ComposeProject.MountKind;
import dev.udsgate.packaged.ComposeProject.Place;
import dev.udsgate.packaged.ComposeProject.Service;
import dev.udsgate.packaged.ComposeProject.Socket;
import dev.udsgate.testing.NodeProject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/compose*.yaml, checked without a Docker engine: dclint validates each against the Compose
 * Specification's JSON schema (an unknown key or a wrong type fails) and its own rules; then what
 * the schema cannot see: each udsgate config they carry is one udsgate's loader accepts, each
 * socket a client needs is in a volume that client mounts, and the kernel would let it connect
 * (the socket's mode and group against the client's uid, gid and added groups, as numbers), a
 * socket for its owner alone is in no volume a client mounts, and udsgate would accept the folder
 * of each of its sockets.
 */
class ComposeFilesTest {

    private static final Path DOCKER = Path.of("docker").toAbsolutePath();
    private static final Path DCLINT_CONFIG = DOCKER.resolve(".dclintrc.yaml");
    private static final Path RECIPE = DOCKER.resolve("read-only-docker.yaml");
    /** The Docker daemon's socket on a Linux host: root:docker, 0660 (the docker group's number varies). */
    private static final FileMode DAEMON_SOCKET_MODE = FileMode.parse("0660");

    private static final Duration DCLINT_TIMEOUT = Duration.ofMinutes(1);
    private static final Pattern UNIX_URL = Pattern.compile("unix://(/\\S+)");

    @TempDir
    Path scratch;

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES) // a first npm ci downloads the pinned packages
    void everyComposeFileMeetsTheComposeSpecificationAndDclintsRules() throws Exception {
        List<Path> files = composeFiles();
        assertThat(files)
                .extracting(f -> f.getFileName().toString())
                .contains("compose.yaml", "compose.read-only-docker.yaml");

        NodeProject.Result lint = dclint(files);

        assertThat(lint.exitCode()).as("dclint:\n%s", lint.output()).isZero();
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void anUnknownKeyOrAWrongTypeIsCaught() throws Exception {
        JsonNode unknownKey = readTree(DOCKER.resolve("compose.yaml"));
        ((ObjectNode) unknownKey.at("/services/udsgate")).put("restar", "always");
        JsonNode wrongType = readTree(DOCKER.resolve("compose.yaml"));
        ((ObjectNode) wrongType.at("/services/client")).put("user", 100); // a string: "uid:gid"
        Path unknown = write("unknown-key.yaml", unknownKey);
        Path wrong = write("wrong-type.yaml", wrongType);

        NodeProject.Result lint = dclint(List.of(unknown, wrong));

        assertThat(lint.exitCode()).isNotZero();
        JsonNode results = ComposeProject.YAML.readTree(
                lint.output().substring(lint.output().indexOf('[')));
        assertThat(results)
                .hasSize(2)
                .allSatisfy(result -> assertThat(result.toString())
                        .contains("\"rule\":\"invalid-schema\"")
                        .contains("instancePath=\\\"/services/"));
    }

    @Test
    void everyUdsgateConfigTheComposeFilesCarryIsOneUdsgateAccepts() throws Exception {
        for (Path file : composeFiles()) {
            Map<String, Path> configs = ComposeProject.configFiles(file, readTree(file), scratch);
            assertThat(configs).as(file + ": configs").isNotEmpty();
            configs.forEach((name, config) -> assertThat(ConfigFileLoader.load(config))
                    .as(file + ": config " + name)
                    .isNotNull());
        }
        // One copy of the recipe: the file the README shows and AccessRulesTest runs.
        Path recipe = DOCKER.resolve("compose.read-only-docker.yaml");
        assertThat(ComposeProject.configFiles(recipe, readTree(recipe), scratch))
                .containsEntry("read-only-docker", RECIPE);
    }

    @Test
    void everySocketIsWhereItsClientsReachItAndTheKernelLetsThemConnect() {
        for (Path file : composeFiles()) {
            ComposeProject project = ComposeProject.read(file, scratch);
            assertThat(project.services().stream().flatMap(s -> s.sockets().stream()))
                    .as(file + ": sockets")
                    .isNotEmpty();
            assertThat(problems(project)).as(file.toString()).isEmpty();
        }
    }

    /** What only a running compose project would show, shown here, so the check above means something. */
    @Test
    void aLayoutTheKernelOrUdsgateWouldRefuseIsCaught() throws Exception {
        Path example = DOCKER.resolve("compose.yaml");
        JsonNode outsideTheGroup = readTree(example);
        ((ObjectNode) outsideTheGroup.at("/services/client")).put("user", "100:100");
        assertThat(problems(ComposeProject.of(example, outsideTheGroup, scratch)))
                .singleElement()
                .asString()
                .contains("the kernel would refuse client (uid 100, gid 100)", "udsgate.sock (mode 0660, 10001:10001)");

        JsonNode rootUdsgate = readTree(example);
        ((ObjectNode) rootUdsgate.at("/services/udsgate")).put("user", "0:0");
        assertThat(problems(ComposeProject.of(example, rootUdsgate, scratch)))
                .anySatisfy(p -> assertThat(p).contains("folder /run/udsgate is uid 10001's"));

        Path recipe = DOCKER.resolve("compose.read-only-docker.yaml");
        JsonNode adminShared = readTree(recipe);
        ((ObjectNode) adminShared.at("/services/udsgate")).remove("tmpfs");
        ((com.fasterxml.jackson.databind.node.ArrayNode) adminShared.at("/services/udsgate/volumes"))
                .add("docker-socket:/run/udsgate");
        assertThat(problems(ComposeProject.of(recipe, adminShared, scratch)))
                .anySatisfy(p -> assertThat(p).contains("admin.sock (mode 0600", "client client mounts"));

        JsonNode wrongHost = readTree(recipe);
        ((ObjectNode) wrongHost.at("/services/client/environment"))
                .put("DOCKER_HOST", "unix:///run/udsgate/docker.sock");
        assertThat(problems(ComposeProject.of(recipe, wrongHost, scratch)))
                .singleElement()
                .asString()
                .contains("DOCKER_HOST unix:///run/udsgate/docker.sock is no socket");
    }

    /** Every way the project's sockets would fail once running, each said in a sentence. */
    static List<String> problems(ComposeProject project) {
        List<String> problems = new ArrayList<>();
        List<Service> clients =
                project.services().stream().filter(Service::isClient).toList();
        List<Socket> sockets =
                project.services().stream().flatMap(s -> s.sockets().stream()).toList();
        for (Socket socket : sockets) {
            Service server = socket.service();
            Optional<Place> place = server.place(socket.path());
            if (server.command().get(0).equals("serve")) {
                folderProblem(socket, place).ifPresent(problems::add);
            }
            for (Service client : clients) {
                boolean mounted = place.filter(p -> p.mount().kind() == MountKind.VOLUME
                                && client.mountsVolume(p.mount().source()))
                        .isPresent();
                if (socket.shared() && !mounted) {
                    problems.add(describe(socket) + " is in no volume that client " + client.name() + " mounts");
                } else if (!socket.shared() && mounted) {
                    problems.add(describe(socket) + ", for its owner alone, is in volume "
                            + place.get().mount().source() + ", which client " + client.name()
                            + " mounts: a client that is root in its container passes every mode check");
                } else if (socket.shared() && !mayConnect(client, socket)) {
                    problems.add("the kernel would refuse client " + who(client) + " on " + describe(socket));
                }
            }
        }
        for (Service server : project.services()) {
            for (Path upstream : server.upstreams()) {
                upstreamProblem(server, upstream, sockets).ifPresent(problems::add);
            }
        }
        for (Service client : clients) {
            String host = client.environment().get("DOCKER_HOST");
            Matcher url = UNIX_URL.matcher(host == null ? "" : host);
            if (host != null
                    && (!url.matches()
                            || client.place(Path.of(url.group(1)))
                                    .filter(p -> sockets.stream()
                                            .filter(Socket::shared)
                                            .anyMatch(s -> placeOf(s).equals(p.key())))
                                    .isEmpty())) {
                problems.add("client " + client.name() + "'s DOCKER_HOST " + host
                        + " is no socket a udsgate service shares with it");
            }
        }
        return problems;
    }

    /** udsgate's own rule for a socket's folder (SocketFolder): root's or its own, and no one else's to write. */
    private static Optional<String> folderProblem(Socket socket, Optional<Place> place) {
        Path folder = socket.path().getParent();
        Image image = Image.udsgate();
        int owner;
        FileMode mode;
        if (place.isPresent() && place.get().below().getNameCount() > 1) {
            return Optional.of(describe(socket) + ": folder " + folder + " is inside mount "
                    + place.get().mount().target() + ", and nothing in the files makes it");
        } else if (place.isEmpty()) {
            if (!image.folders().containsKey(folder)) {
                return Optional.of(describe(socket) + ": folder " + folder + " is neither mounted nor in the image");
            }
            owner = image.user().uid();
            mode = image.folders().get(folder);
        } else {
            ComposeProject.Mount mount = place.get().mount();
            switch (mount.kind()) {
                case TMPFS -> {
                    Matcher m = Pattern.compile("mode=([0-7]+)").matcher(mount.options());
                    owner = 0;
                    mode = new FileMode(m.find() ? Integer.parseInt(m.group(1), 8) & 0777 : 0777);
                }
                case VOLUME -> {
                    // A new volume starts as a copy of the image's folder at its target, owner and mode
                    // included; where the image has none, Docker makes its root root's, 0755.
                    boolean copied = image.folders().containsKey(mount.target()) && !mount.noCopy();
                    owner = copied ? image.user().uid() : 0;
                    mode = copied ? image.folders().get(mount.target()) : FileMode.parse("0755");
                }
                default -> {
                    return Optional.of(describe(socket) + ": folder " + folder + " is the host's " + mount.source()
                            + ", whose owner these files do not say");
                }
            }
        }
        int uid = socket.owner().uid();
        if (owner != 0 && owner != uid) {
            return Optional.of(describe(socket) + ": folder " + folder + " is uid " + owner + "'s, and udsgate runs"
                    + " as uid " + uid + ": it refuses a folder owned by anyone but root or itself");
        }
        if ((mode.bits() & 0002) != 0
                && !place.map(p -> p.mount().kind() == MountKind.TMPFS).orElse(false)) {
            return Optional.of(describe(socket) + ": folder " + folder + " may be written by others");
        }
        return Optional.empty();
    }

    private static Optional<String> upstreamProblem(Service server, Path upstream, List<Socket> sockets) {
        Optional<Place> place = server.place(upstream);
        if (place.isEmpty()) {
            return Optional.of(server.name() + "'s upstream " + upstream + " is in none of its mounts");
        }
        if (place.get().mount().kind() == MountKind.BIND) {
            Socket daemon = new Socket(server, "host", upstream, DAEMON_SOCKET_MODE, new Ids(0, -1));
            return mayConnect(server, daemon)
                    ? Optional.empty()
                    : Optional.of("the kernel would refuse " + server.name() + " " + who(server) + " on the host's "
                            + upstream + " (root's, 0660): run it as root");
        }
        Optional<Socket> offered = sockets.stream()
                .filter(s -> placeOf(s).equals(place.get().key()))
                .findFirst();
        if (offered.isEmpty()) {
            return Optional.of(server.name() + "'s upstream " + upstream + " is no socket another service makes in "
                    + place.get().mount().source());
        }
        return mayConnect(server, offered.get())
                ? Optional.empty()
                : Optional.of("the kernel would refuse " + server.name() + " " + who(server) + " on its upstream "
                        + describe(offered.get()));
    }

    /**
     * What the kernel checks on connect: write permission on the socket file, from the owner's bits
     * if the caller's uid owns it, else the group's if its gid or an added group is the file's, else
     * the others'. Root passes all of them while it keeps CAP_DAC_OVERRIDE (Docker gives it by default).
     * A service without {@code user:} runs as its image's user, which these files do not say.
     */
    static boolean mayConnect(Service client, Socket socket) {
        int bits = socket.mode().bits();
        if (client.user().isEmpty()) {
            return (bits & 0002) != 0;
        }
        Ids ids = client.user().get();
        boolean overrides = client.capDrop().stream()
                .noneMatch(c -> c.equals("ALL") || c.equals("DAC_OVERRIDE") || c.equals("CAP_DAC_OVERRIDE"));
        if (ids.uid() == 0 && overrides) {
            return true;
        }
        if (ids.uid() == socket.owner().uid()) {
            return (bits & 0200) != 0;
        }
        if (ids.gid() == socket.owner().gid()
                || client.groupAdd().contains(socket.owner().gid())) {
            return (bits & 0020) != 0;
        }
        return (bits & 0002) != 0;
    }

    private static String placeOf(Socket socket) {
        return socket.service()
                .place(socket.path())
                .map(Place::key)
                .orElse("image:" + socket.service().name());
    }

    private static String describe(Socket socket) {
        return socket.service().name() + "'s " + socket.path() + " (mode " + socket.mode() + ", "
                + socket.owner().uid() + ":" + socket.owner().gid() + ")";
    }

    private static String who(Service service) {
        return service.user()
                .map(ids -> "(uid " + ids.uid() + ", gid " + ids.gid()
                        + (service.groupAdd().isEmpty() ? "" : ", groups " + service.groupAdd()) + ")")
                .orElse("(its image's user)");
    }

    private static NodeProject.Result dclint(List<Path> files) {
        NodeProject.installed();
        List<String> command = new ArrayList<>(List.of(
                "node",
                "node_modules/dclint/bin/dclint.cjs",
                "--config",
                DCLINT_CONFIG.toString(),
                "--max-warnings",
                "0",
                "--color",
                "false",
                "--formatter",
                "json"));
        files.forEach(f -> command.add(f.toAbsolutePath().toString()));
        return NodeProject.run(DCLINT_TIMEOUT, Map.of("NO_COLOR", "1"), command.toArray(String[]::new));
    }

    private static List<Path> composeFiles() {
        try (Stream<Path> listed = Files.list(DOCKER)) {
            return listed.filter(f -> f.getFileName().toString().matches("compose.*\\.yaml"))
                    .sorted()
                    .toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonNode readTree(Path file) throws Exception {
        return ComposeProject.YAML.readTree(file.toFile());
    }

    private Path write(String name, JsonNode tree) throws Exception {
        Path file = scratch.resolve(name);
        ComposeProject.YAML.writeValue(file.toFile(), tree);
        return file;
    }
}
