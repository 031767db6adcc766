package dev.udsgate.packaged;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.udsgate.config.ConfigFile;
import dev.udsgate.config.ConfigFileLoader;
import dev.udsgate.config.FileMode;
import dev.udsgate.config.ListenerDocument;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A compose file read as far as the socket checks need: each service's user, mounts and configs,
 * the sockets it offers (udsgate's listeners, from the config it is given, read by udsgate's own
 * loader; echo's socket) and the Unix upstreams it connects to. What the udsgate image contributes
 * (its user, the folders it makes) is read from docker/Dockerfile.
 */
record ComposeProject(Path file, JsonNode tree, List<Service> services) {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final String UDSGATE_IMAGE = "udsgate";
    private static final Path DOCKERFILE = Path.of("docker/Dockerfile");
    /** echo sets no mode: its socket has the umask's, 0777 less 022, and connecting takes write. */
    private static final FileMode ECHO_SOCKET_MODE = new FileMode(0755);

    /** A uid and gid, as numbers: the kernel compares numbers, in every container alike. */
    record Ids(int uid, int gid) {}

    enum MountKind {
        VOLUME,
        BIND,
        TMPFS
    }

    /** A mount: a named volume, a host path or a tmpfs, at {@code target} in the container. */
    record Mount(MountKind kind, String source, Path target, boolean noCopy, String options) {}

    /** A socket a service makes: its path in that service's container, its mode and its owner. */
    record Socket(Service service, String name, Path path, FileMode mode, Ids owner) {

        /** Whether anyone but its owner may connect: connecting takes write permission. */
        boolean shared() {
            return (mode.bits() & 0022) != 0;
        }
    }

    /** Where a path of a container is kept: a mount, and the path below that mount's root. */
    record Place(Mount mount, Path below) {

        /** The same file, seen from any container: a volume's name or a host path, and below it. */
        String key() {
            return mount.kind() + ":" + mount.source() + ":" + below;
        }
    }

    record Service(
            String name,
            String image,
            Optional<Ids> user,
            List<Integer> groupAdd,
            List<String> capDrop,
            List<String> command,
            List<Mount> mounts,
            Map<String, String> environment,
            List<Socket> sockets,
            List<Path> upstreams) {

        boolean isUdsgate() {
            return UDSGATE_IMAGE.equals(image);
        }

        boolean isClient() {
            return !isUdsgate();
        }

        /** The mount that holds {@code path} (the deepest one), or empty: the image's own file system. */
        Optional<Place> place(Path path) {
            return mounts.stream()
                    .filter(m -> path.startsWith(m.target()))
                    .max(Comparator.comparingInt(m -> m.target().getNameCount()))
                    .map(m -> new Place(m, m.target().relativize(path)));
        }

        boolean mountsVolume(String volume) {
            return mounts.stream()
                    .anyMatch(m -> m.kind() == MountKind.VOLUME && m.source().equals(volume));
        }
    }

    /** What docker/Dockerfile makes: the udsgate user's ids, and the folders it creates for them. */
    record Image(Ids user, Map<Path, FileMode> folders) {

        static Image udsgate() {
            String dockerfile = read(DOCKERFILE);
            int gid = Integer.parseInt(find(dockerfile, "groupadd --system --gid (\\d+) udsgate"));
            int uid = Integer.parseInt(find(dockerfile, "useradd --system --uid (\\d+) --gid udsgate"));
            find(dockerfile, "\nUSER (udsgate)\n");
            Map<Path, FileMode> folders = new LinkedHashMap<>();
            Matcher made = Pattern.compile("install -d -o udsgate -g udsgate -m (\\d+) (\\S+)")
                    .matcher(dockerfile);
            while (made.find()) {
                folders.put(Path.of(made.group(2)), FileMode.parse(made.group(1)));
            }
            return new Image(new Ids(uid, gid), folders);
        }
    }

    static ComposeProject read(Path file, Path scratch) {
        try {
            return of(file, YAML.readTree(file.toFile()), scratch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code tree} as the compose file {@code file} (configs' files are found beside it). */
    static ComposeProject of(Path file, JsonNode tree, Path scratch) {
        List<Service> services = new ArrayList<>();
        tree.path("services").fields().forEachRemaining(entry -> {
            services.add(service(file, tree, entry.getKey(), entry.getValue(), scratch));
        });
        return new ComposeProject(file, tree, services);
    }

    /** Every udsgate configuration the file carries, by config name, as a file udsgate can load. */
    static Map<String, Path> configFiles(Path file, JsonNode tree, Path scratch) {
        Map<String, Path> files = new LinkedHashMap<>();
        tree.path("configs").fields().forEachRemaining(entry -> {
            files.put(entry.getKey(), configFile(file, entry.getKey(), entry.getValue(), scratch));
        });
        return files;
    }

    private static Path configFile(Path file, String name, JsonNode config, Path scratch) {
        if (config.has("file")) {
            return file.toAbsolutePath()
                    .getParent()
                    .resolve(config.get("file").asText())
                    .normalize();
        }
        if (!config.has("content")) {
            throw new AssertionError(file + ": config " + name + " has neither file nor content");
        }
        try {
            Path written = scratch.resolve(file.getFileName() + "." + name + ".yaml");
            Files.writeString(written, config.get("content").asText());
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Service service(Path file, JsonNode tree, String name, JsonNode node, Path scratch) {
        String image = node.path("image").asText("");
        Optional<Ids> user = node.has("user")
                ? Optional.of(ids(name, node.get("user").asText()))
                : UDSGATE_IMAGE.equals(image) ? Optional.of(Image.udsgate().user()) : Optional.empty();
        List<Integer> groupAdd = new ArrayList<>();
        node.path("group_add").forEach(g -> groupAdd.add(Integer.parseInt(g.asText())));
        List<String> capDrop = new ArrayList<>();
        node.path("cap_drop").forEach(c -> capDrop.add(c.asText()));
        List<String> command = strings(node.path("command"));
        List<Mount> mounts = mounts(node);
        Map<String, String> environment = environment(node.path("environment"));
        Service bare =
                new Service(name, image, user, groupAdd, capDrop, command, mounts, environment, List.of(), List.of());
        if (!bare.isUdsgate() || command.isEmpty()) {
            return bare;
        }
        Map<String, String> options = options(command);
        List<Socket> sockets = new ArrayList<>();
        List<Path> upstreams = new ArrayList<>();
        Ids owner = user.orElseThrow();
        if (command.get(0).equals("echo")) {
            sockets.add(new Socket(bare, "echo", Path.of(options.get("socket")), ECHO_SOCKET_MODE, owner));
        } else if (command.get(0).equals("serve")) {
            ConfigFile config = options.containsKey("config")
                    ? ConfigFileLoader.load(mountedConfig(file, tree, name, node, options.get("config"), scratch))
                    : ConfigFileLoader.load(emptyConfig(scratch));
            for (ListenerDocument listener : config.listeners()) {
                sockets.add(new Socket(
                        bare,
                        listener.name(),
                        listener.path(),
                        listener.mode().orElse(FileMode.DEFAULT_SOCKET_MODE),
                        new Ids(
                                owner.uid(),
                                listener.group().map(Integer::parseInt).orElse(owner.gid()))));
            }
            if (config.listeners().isEmpty()) {
                Path path = Optional.ofNullable(options.get("socket"))
                        .map(Path::of)
                        .or(config::socket)
                        .orElseThrow(() -> new AssertionError(file + ": service " + name + " names no socket"));
                FileMode mode = Optional.ofNullable(options.get("mode"))
                        .map(FileMode::parse)
                        .or(config::mode)
                        .orElse(FileMode.DEFAULT_SOCKET_MODE);
                int gid = Optional.ofNullable(options.get("group"))
                        .or(config::group)
                        .map(Integer::parseInt)
                        .orElse(owner.gid());
                sockets.add(new Socket(bare, "main", path, mode, new Ids(owner.uid(), gid)));
            }
            config.routes()
                    .forEach(route -> route.upstreams().stream()
                            .filter(u -> u.isUnix())
                            .forEach(u -> upstreams.add(u.socketPath())));
        }
        return new Service(name, image, user, groupAdd, capDrop, command, mounts, environment, sockets, upstreams);
    }

    /** The config file a service's {@code --config} names, found through the service's configs. */
    private static Path mountedConfig(
            Path file, JsonNode tree, String name, JsonNode node, String target, Path scratch) {
        for (JsonNode config : node.path("configs")) {
            if (config.path("target").asText().equals(target)) {
                String source = config.path("source").asText();
                JsonNode declared = tree.path("configs").path(source);
                if (declared.isMissingNode()) {
                    throw new AssertionError(file + ": service " + name + " uses config " + source + ", not declared");
                }
                return configFile(file, source, declared, scratch);
            }
        }
        throw new AssertionError(
                file + ": service " + name + " reads --config " + target + ", which none of its configs is mounted at");
    }

    private static Path emptyConfig(Path scratch) {
        try {
            return Files.writeString(scratch.resolve("empty.yaml"), "{}\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Ids ids(String service, String user) {
        String[] parts = user.split(":");
        try {
            return new Ids(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        } catch (RuntimeException e) {
            throw new AssertionError("service " + service + ": user \"" + user + "\" must be uid:gid, as numbers:"
                    + " a name means whatever the image's /etc/passwd says, which these checks cannot see");
        }
    }

    private static List<Mount> mounts(JsonNode service) {
        List<Mount> mounts = new ArrayList<>();
        for (JsonNode volume : service.path("volumes")) {
            if (volume.isTextual()) {
                String[] parts = volume.asText().split(":");
                String source = parts[0];
                MountKind kind = source.startsWith("/") || source.startsWith(".") ? MountKind.BIND : MountKind.VOLUME;
                mounts.add(new Mount(kind, source, Path.of(parts[1]), false, ""));
            } else {
                MountKind kind = MountKind.valueOf(volume.path("type").asText().toUpperCase(java.util.Locale.ROOT));
                mounts.add(new Mount(
                        kind,
                        volume.path("source").asText(),
                        Path.of(volume.path("target").asText()),
                        volume.path("volume").path("nocopy").asBoolean(false),
                        ""));
            }
        }
        for (String tmpfs : strings(service.path("tmpfs"))) {
            int colon = tmpfs.indexOf(':');
            String target = colon < 0 ? tmpfs : tmpfs.substring(0, colon);
            mounts.add(new Mount(
                    MountKind.TMPFS, "tmpfs", Path.of(target), true, colon < 0 ? "" : tmpfs.substring(colon + 1)));
        }
        return mounts;
    }

    /** {@code --name=value} and {@code --name value}, by name. */
    private static Map<String, String> options(List<String> command) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < command.size(); i++) {
            String word = command.get(i);
            if (!word.startsWith("--")) {
                continue;
            }
            int equals = word.indexOf('=');
            if (equals > 0) {
                options.put(word.substring(2, equals), word.substring(equals + 1));
            } else if (i + 1 < command.size()) {
                options.put(word.substring(2), command.get(++i));
            }
        }
        return options;
    }

    private static Map<String, String> environment(JsonNode environment) {
        Map<String, String> variables = new LinkedHashMap<>();
        if (environment.isObject()) {
            environment
                    .fields()
                    .forEachRemaining(
                            e -> variables.put(e.getKey(), e.getValue().asText()));
        } else {
            environment.forEach(line -> {
                String[] pair = line.asText().split("=", 2);
                variables.put(pair[0], pair.length > 1 ? pair[1] : "");
            });
        }
        return variables;
    }

    private static List<String> strings(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (node.isTextual()) {
            return Arrays.asList(node.asText().trim().split("\\s+"));
        }
        List<String> words = new ArrayList<>();
        node.forEach(word -> words.add(word.asText()));
        return words;
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new AssertionError(DOCKERFILE + " no longer has /" + regex + "/: the checks read the image's user"
                    + " and folders from it");
        }
        return m.group(1);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
