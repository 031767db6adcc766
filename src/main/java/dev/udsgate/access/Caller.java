package dev.udsgate.access;

import dev.udsgate.peer.ProcessView;
import dev.udsgate.system.Principal;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Who is on the other end of a connection, as access rules see it: what the kernel said at accept.
 *
 * @param connectionId the connection's id as the API shows it, or null if it is not tracked
 * @param user the peer's user; null when the kernel would not say
 * @param group the peer's primary group; null when the kernel would not say
 * @param pid the peer's pid as the kernel gave it at accept; 0 when it gave none (another pid
 *     namespace) or pids are not read
 * @param process the connecting process, read from {@code /proc} only if a rule asks, once: its
 *     supplementary groups, executable and container; {@code unavailable} or {@code stale} when it
 *     cannot be known (another pid namespace, or the process is gone)
 * @param privileged root or udsgate's own user: the admin, who may write through the API
 */
record Caller(
        String connectionId,
        Principal user,
        Principal group,
        int pid,
        Supplier<ProcessView> process,
        boolean privileged) {

    /** A caller whose pid is not known. */
    Caller(String connectionId, Principal user, Principal group, Supplier<ProcessView> process, boolean privileged) {
        this(connectionId, user, group, 0, process, privileged);
    }

    /** Its supplementary groups; empty when they cannot be known. */
    Optional<List<Principal>> supplementaryGroups() {
        return Optional.ofNullable(process.get().groups());
    }

    /** How a log line and a 403 name it: uid and user name. */
    String describe() {
        if (user == null) {
            return "a peer the kernel did not name";
        }
        if (user.id() == null) {
            return "user " + user.name();
        }
        return "uid " + user.id() + (user.name() == null ? "" : " (" + user.name() + ")");
    }

    String uid() {
        return user == null || user.id() == null ? "-" : user.id().toString();
    }

    String pidLabel() {
        return pid > 0 ? Integer.toString(pid) : "-";
    }

    String gid() {
        return group == null || group.id() == null ? "-" : group.id().toString();
    }

    /** The user as events name it: the name, else the uid. */
    String userLabel() {
        return user == null ? null : user.name() != null ? user.name() : String.valueOf(user.id());
    }
}
