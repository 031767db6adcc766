package dev.udsgate.cli;

import dev.udsgate.system.ProcessUser;
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
        if (ProcessUser.isRoot()) {
            return Optional.of(Path.of("/run", FILE_NAME));
        }
        String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
        return runtimeDir == null || runtimeDir.isBlank()
                ? Optional.empty()
                : Optional.of(Path.of(runtimeDir, FILE_NAME));
    }
}
