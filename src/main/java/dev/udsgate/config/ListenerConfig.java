package dev.udsgate.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One Unix-socket listener: where its socket file lives and who may connect to it.
 *
 * @param name a short name that identifies the listener in the API and the logs
 * @param socketPath absolute path of the socket file
 * @param mode permission bits of the socket file
 * @param group group to give the socket file (a name or a numeric id); empty keeps the process's group
 * @param backlog the {@code listen()} backlog; the kernel caps it at {@code net.core.somaxconn}
 * @param limits how many connections it holds at once
 * @param owner user to give the socket file (a name or a numeric id; only root may give it away);
 *     empty keeps the process's user
 * @param exposure how much of the API and which routes it offers
 * @param access who may do what on it, by the peer's kernel identity: its rules, reloaded with the
 *     configuration (a change is a listener changed in place)
 */
public record ListenerConfig(
        String name,
        Path socketPath,
        FileMode mode,
        Optional<String> group,
        int backlog,
        ConnectionLimits limits,
        Optional<String> owner,
        Exposure exposure,
        AccessPolicy access) {

    /** The listener that the top-level {@code socket} key, or {@code --socket}, describes. */
    public static final String MAIN = "main";

    public static final int DEFAULT_BACKLOG = 512;
    public static final int MAX_BACKLOG = 65535;

    public ListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(socketPath, "socketPath");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(exposure, "exposure");
        Objects.requireNonNull(access, "access");
        if (!socketPath.isAbsolute()) {
            socketPath = socketPath.toAbsolutePath();
        }
        socketPath = socketPath.normalize();
        if (backlog < 1 || backlog > MAX_BACKLOG) {
            throw new IllegalArgumentException("backlog must be between 1 and " + MAX_BACKLOG + ", got " + backlog);
        }
    }

    /** The same listener with other file permissions. */
    public ListenerConfig withPermissions(FileMode mode, Optional<String> group) {
        return new ListenerConfig(name, socketPath, mode, group, backlog, limits, owner, exposure, access);
    }

    /** The same listener with other access rules. */
    public ListenerConfig withAccess(AccessPolicy access) {
        return new ListenerConfig(name, socketPath, mode, group, backlog, limits, owner, exposure, access);
    }

    /** The same listener with other connection limits. */
    public ListenerConfig withLimits(ConnectionLimits limits) {
        return new ListenerConfig(name, socketPath, mode, group, backlog, limits, owner, exposure, access);
    }

    /** A listener with no access rules. */
    public ListenerConfig(
            String name,
            Path socketPath,
            FileMode mode,
            Optional<String> group,
            int backlog,
            ConnectionLimits limits,
            Optional<String> owner,
            Exposure exposure) {
        this(name, socketPath, mode, group, backlog, limits, owner, exposure, AccessPolicy.OPEN);
    }

    /** A listener that offers everything, owned by the process's user. */
    public ListenerConfig(
            String name, Path socketPath, FileMode mode, Optional<String> group, int backlog, ConnectionLimits limits) {
        this(name, socketPath, mode, group, backlog, limits, Optional.empty(), Exposure.EVERYTHING);
    }

    /** The same, with the default connection limits. */
    public ListenerConfig(String name, Path socketPath, FileMode mode, Optional<String> group, int backlog) {
        this(name, socketPath, mode, group, backlog, ConnectionLimits.defaults());
    }
}
