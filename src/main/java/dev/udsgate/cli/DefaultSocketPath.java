package dev.udsgate.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where udsgate listens when no {@code --socket} is given, as Docker does: {@code /run/udsgate.sock}
 * for root, {@code $XDG_RUNTIME_DIR/udsgate.sock} (a private per-user folder) for anyone else.
 */
final class DefaultSocketPath {

    static final String FILE_NAME = "udsgate.sock";

    private DefaultSocketPath() {}

    static Optional<Path> forCurrentUser() {
        if (isRoot()) {
            return Optional.of(Path.of("/run", FILE_NAME));
        }
        String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
        return runtimeDir == null || runtimeDir.isBlank()
                ? Optional.empty()
                : Optional.of(Path.of(runtimeDir, FILE_NAME));
    }

    private static boolean isRoot() {
        try {
            // /proc/self belongs to the process's effective user.
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
