package dev.udsgate.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One listener as a configuration file's {@code listeners:} describes it, checked; what it leaves
 * out is empty here, and the command line's defaults fill it in.
 *
 * @param owner a user name or numeric uid for the socket file
 * @param group a group name or numeric gid for the socket file
 */
public record ListenerDocument(
        String name,
        Path path,
        Optional<FileMode> mode,
        Optional<String> owner,
        Optional<String> group,
        Optional<Integer> backlog,
        Exposure exposure,
        AccessPolicy access) {

    public ListenerDocument {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(backlog, "backlog");
        Objects.requireNonNull(exposure, "exposure");
        Objects.requireNonNull(access, "access");
    }
}
