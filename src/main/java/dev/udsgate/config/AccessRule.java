package dev.udsgate.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One rule of a listener's access rules ({@code listeners[i].rules}): a decision, and what a
 * request must be for it to apply. Every condition given must hold (and), any item of a
 * condition's list will do (or); a condition left out holds for every request.
 *
 * @param allow true for {@code allow}, false for {@code deny}
 * @param users the peer's user, by name or uid (as {@code user:} and {@code uid:} give them)
 * @param groups the peer's primary group, by name or gid ({@code group:}, {@code gid:})
 * @param anyGroups any of the peer's groups, primary or supplementary ({@code groups:})
 * @param methods HTTP methods, in capitals
 * @param routes the names of the routes the request would take; a request the API answers takes none
 * @param paths path patterns, matched on the request's canonical path
 * @param anyApiVersion whether a leading API version segment ({@code /v1.41}) may come before the paths
 * @param admin (allow rules only) whether it allows the API's writes to peers that are not root or
 *     udsgate's own user
 * @param process conditions on the connecting process, read from {@code /proc} when a rule asks
 */
public record AccessRule(
        boolean allow,
        Optional<Set<String>> users,
        Optional<Set<String>> groups,
        Optional<Set<String>> anyGroups,
        Optional<Set<String>> methods,
        Optional<Set<String>> routes,
        Optional<List<PathPattern>> paths,
        boolean anyApiVersion,
        boolean admin,
        ProcessCondition process) {

    /** A rule about no process. */
    public AccessRule(
            boolean allow,
            Optional<Set<String>> users,
            Optional<Set<String>> groups,
            Optional<Set<String>> anyGroups,
            Optional<Set<String>> methods,
            Optional<Set<String>> routes,
            Optional<List<PathPattern>> paths,
            boolean anyApiVersion,
            boolean admin) {
        this(allow, users, groups, anyGroups, methods, routes, paths, anyApiVersion, admin, ProcessCondition.NONE);
    }

    /**
     * What a rule asks of the connecting process (pids are recycled, so a pid is never one): its
     * executable, and the container and Kubernetes pod its cgroup names. {@link #ANY} for "in one".
     *
     * @param exe executable paths, exactly as {@code /proc/PID/exe} names them
     * @param container container ids, each a prefix of at least 12 hex digits (as {@code docker ps}
     *     shows them), or {@code *}
     * @param pod pod UIDs, or {@code *}
     */
    public record ProcessCondition(
            Optional<Set<String>> exe, Optional<Set<String>> container, Optional<Set<String>> pod) {

        public static final ProcessCondition NONE =
                new ProcessCondition(Optional.empty(), Optional.empty(), Optional.empty());

        /** In any container, or any pod. */
        public static final String ANY = "*";

        public ProcessCondition {
            exe = exe.map(Set::copyOf);
            container = container.map(Set::copyOf);
            pod = pod.map(Set::copyOf);
        }

        public boolean isEmpty() {
            return exe.isEmpty() && container.isEmpty() && pod.isEmpty();
        }
    }

    public AccessRule {
        users = users.map(Set::copyOf);
        groups = groups.map(Set::copyOf);
        anyGroups = anyGroups.map(Set::copyOf);
        methods = methods.map(Set::copyOf);
        routes = routes.map(Set::copyOf);
        paths = paths.map(List::copyOf);
        Objects.requireNonNull(process, "process");
        if (admin && !allow) {
            throw new IllegalArgumentException("only an allow rule names admin writes");
        }
    }

    /** Whether it says anything about the peer, or about the request only. */
    public boolean isAboutPeer() {
        return users.isPresent() || groups.isPresent() || anyGroups.isPresent() || !process.isEmpty();
    }

    /** @param path a canonical path */
    public boolean matchesPath(String path) {
        return matchesPath(path, apiVersionEnd(path));
    }

    /**
     * @param path a canonical path
     * @param versionEnd where its API version segment ends ({@link #apiVersionEnd}), or -1 when it
     *     has none: worked out once per request, for every rule
     */
    public boolean matchesPath(String path, int versionEnd) {
        if (paths.isEmpty()) {
            return true;
        }
        boolean tryUnversioned = anyApiVersion && versionEnd > 0;
        for (PathPattern pattern : paths.get()) {
            if (pattern.matches(path) || (tryUnversioned && pattern.matches(path, versionEnd))) {
                return true;
            }
        }
        return false;
    }

    public boolean matchesMethod(String method) {
        return methods.isEmpty() || methods.get().contains(method);
    }

    /**
     * Where the path's first segment ends when that segment is an API version as Docker's router
     * reads one ({@code v} and digits and dots: {@code /v1.41}), so that the rest is
     * {@code path.substring(end)}; -1 when it has none.
     */
    public static int apiVersionEnd(String path) {
        int end = path.indexOf('/', 1);
        if (end < 0 || end < 3 || path.charAt(1) != 'v') {
            return -1;
        }
        for (int i = 2; i < end; i++) {
            char c = path.charAt(i);
            if (!(c == '.' || (c >= '0' && c <= '9'))) {
                return -1;
            }
        }
        return end;
    }
}
