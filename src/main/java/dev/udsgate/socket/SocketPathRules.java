package dev.udsgate.socket;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Checks a socket path before anything is bound, so that a bad path fails with a clear reason. */
public final class SocketPathRules {

    /**
     * Longest path the JDK binds on Linux. {@code sun_path} in {@code sockaddr_un} holds 108 bytes
     * including the NUL; the JDK refuses anything over 106 (measured on JDK 17 and 25).
     */
    public static final int MAX_PATH_BYTES = 106;

    private SocketPathRules() {}

    public static int byteLength(Path path) {
        return path.toString().getBytes(StandardCharsets.UTF_8).length;
    }

    /** Fails unless {@code socketPath} can be bound: short enough, with an existing parent folder. */
    public static void check(Path socketPath) {
        int length = byteLength(socketPath);
        if (length > MAX_PATH_BYTES) {
            throw new ListenerStartException(String.format(
                    "socket path %s is %d bytes long; Unix socket paths may be at most %d bytes"
                            + " (sun_path holds 108 with its NUL): choose a shorter --socket",
                    socketPath, length, MAX_PATH_BYTES));
        }
        Path parent = socketPath.getParent();
        if (parent == null || socketPath.getFileName() == null) {
            throw new ListenerStartException(
                    "socket path " + socketPath + " names no file: give a path such as /run/udsgate.sock");
        }
        if (!Files.isDirectory(parent)) {
            throw new ListenerStartException(
                    Files.exists(parent, LinkOption.NOFOLLOW_LINKS)
                            ? "cannot create socket " + socketPath + ": " + parent + " is not a folder"
                            : "cannot create socket " + socketPath + ": folder " + parent
                                    + " does not exist; create it first");
        }
    }
}
