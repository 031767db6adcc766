package dev.udsgate.peer;

import dev.udsgate.system.Principal;
import java.time.Instant;
import java.util.List;

/**
 * The process behind a connection, as the API shows it.
 *
 * @param status {@code known}: read from {@code /proc} while the connecting process ran;
 *     {@code stale}: it had exited before it was first asked about, and its pid may now be
 *     another's, so nothing is said of it; {@code unavailable}: no pid (another pid namespace, or
 *     pids are not read here)
 * @param command its command name; null unless known
 * @param exe its executable's path; null unless known and readable by udsgate's user
 * @param startedAt when it started; null unless known
 * @param groups its supplementary groups; null unless known
 * @param cgroup its cgroup path as udsgate's cgroup namespace shows it; null unless known
 * @param container the container it runs in; null unless known and in one
 */
public record ProcessView(
        String status,
        String command,
        String exe,
        Instant startedAt,
        List<Principal> groups,
        String cgroup,
        ContainerView container) {

    public static final ProcessView STALE = new ProcessView("stale", null, null, null, null, null, null);
    public static final ProcessView UNAVAILABLE = new ProcessView("unavailable", null, null, null, null, null, null);

    /**
     * @param runtime {@code docker}, {@code podman}, {@code containerd} or {@code cri-o}, or null
     *     where its cgroup path does not say
     * @param id the container id, or null
     * @param podUid the Kubernetes pod's UID, or null
     */
    public record ContainerView(String runtime, String id, String podUid) {
        static ContainerView of(Container container) {
            return new ContainerView(
                    container.runtime().orElse(null),
                    container.id().orElse(null),
                    container.podUid().orElse(null));
        }
    }
}
