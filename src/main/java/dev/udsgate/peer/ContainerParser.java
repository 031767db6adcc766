package dev.udsgate.peer;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the container a process runs in from its cgroup path, or, when a private cgroup namespace
 * hides that path ({@code 0::/}), from the host paths its mounts come from — as SPIRE's Docker and
 * Kubernetes workload attestors do. Pure text in, a {@link Container} out.
 *
 * <p>Cgroup paths, by runtime and cgroup driver:
 * <pre>
 *   /docker/ID                                              Docker, cgroupfs
 *   /system.slice/docker-ID.scope                           Docker, systemd
 *   /machine.slice/libpod-ID.scope[/container]              Podman (rootless: under user.slice)
 *   /libpod_parent/libpod-ID                                Podman, cgroupfs
 *   /kubepods/burstable/podUID/ID                           Kubernetes, cgroupfs (runtime not said)
 *   /kubepods.slice/kubepods-besteffort.slice/
 *     kubepods-besteffort-podUID_WITH_UNDERSCORES.slice/
 *     cri-containerd-ID.scope | crio-ID.scope               Kubernetes on containerd or CRI-O, systemd
 * </pre>
 */
final class ContainerParser {

    private static final String HEX64 = "([0-9a-f]{64})";
    private static final Pattern SCOPE =
            Pattern.compile("(docker|cri-containerd|crio|libpod|nerdctl)-" + HEX64 + "\\.scope");
    private static final Pattern LIBPOD = Pattern.compile("/libpod-" + HEX64 + "(?:/|$)");
    private static final Pattern BARE_ID = Pattern.compile("/" + HEX64 + "(?:/|$)");
    private static final Pattern POD =
            Pattern.compile("pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})");
    private static final Map<String, String> RUNTIME_OF_SCOPE = Map.of(
            "docker", "docker",
            "cri-containerd", "containerd",
            "crio", "cri-o",
            "libpod", "podman",
            "nerdctl", "containerd");

    // Host paths a container's files are bind-mounted from, as the root field of mountinfo shows them.
    private static final Pattern DOCKER_MOUNT =
            Pattern.compile("/containers/" + HEX64 + "/(?:hostname|hosts|resolv\\.conf)");
    private static final Pattern STORAGE_MOUNT = Pattern.compile("/overlay-containers/" + HEX64 + "/userdata/");
    private static final Pattern KUBELET_MOUNT =
            Pattern.compile("/kubelet/pods/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/");

    private ContainerParser() {}

    /** From one cgroup path (a line of {@code /proc/PID/cgroup} after its second colon). */
    static Optional<Container> fromCgroupPath(String path) {
        Optional<String> pod = first(POD, path).map(uid -> uid.replace('_', '-'));
        Matcher scope = SCOPE.matcher(path);
        if (scope.find()) {
            return Optional.of(
                    new Container(Optional.of(RUNTIME_OF_SCOPE.get(scope.group(1))), Optional.of(scope.group(2)), pod));
        }
        Optional<String> libpod = first(LIBPOD, path);
        if (libpod.isPresent()) {
            return Optional.of(new Container(Optional.of("podman"), libpod, pod));
        }
        Optional<String> id = first(BARE_ID, path);
        if (id.isPresent() || pod.isPresent()) {
            Optional<String> runtime = path.startsWith("/docker/") ? Optional.of("docker") : Optional.empty();
            return Optional.of(new Container(runtime, id, pod));
        }
        return Optional.empty();
    }

    /** From the whole of {@code /proc/PID/cgroup}: the first entry that names a container. */
    static Optional<Container> fromCgroupFile(String cgroupFile) {
        return cgroupFile
                .lines()
                .map(ContainerParser::pathOf)
                .flatMap(path -> fromCgroupPath(path).stream())
                .findFirst();
    }

    /** From {@code /proc/PID/mountinfo}: where its hostname, hosts or resolv.conf come from. */
    static Optional<Container> fromMountinfo(String mountinfo) {
        Optional<String> pod = Optional.empty();
        Optional<String> docker = Optional.empty();
        Optional<String> storage = Optional.empty();
        for (String line : (Iterable<String>) mountinfo.lines()::iterator) {
            String[] fields = line.split(" ", 6);
            if (fields.length < 5) {
                continue;
            }
            String root = fields[3];
            pod = pod.or(() -> first(KUBELET_MOUNT, root));
            docker = docker.or(() -> first(DOCKER_MOUNT, root));
            storage = storage.or(() -> first(STORAGE_MOUNT, root));
        }
        if (docker.isPresent()) {
            return Optional.of(new Container(Optional.of("docker"), docker, pod));
        }
        if (storage.isPresent()) {
            // containers/storage: Podman's, and CRI-O's under Kubernetes.
            return Optional.of(new Container(Optional.of(pod.isPresent() ? "cri-o" : "podman"), storage, pod));
        }
        return pod.map(uid -> new Container(Optional.empty(), Optional.empty(), Optional.of(uid)));
    }

    /** The cgroup path of a {@code /proc/PID/cgroup} line: {@code ID:CONTROLLERS:PATH}. */
    static String pathOf(String line) {
        int first = line.indexOf(':');
        int second = first < 0 ? -1 : line.indexOf(':', first + 1);
        return second < 0 ? "" : line.substring(second + 1);
    }

    private static Optional<String> first(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }
}
