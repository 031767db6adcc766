package dev.udsgate.socket;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Limits the Linux kernel applies to sockets, read from {@code /proc}. */
final class KernelLimits {

    private static final Path SOMAXCONN = Path.of("/proc/sys/net/core/somaxconn");

    private KernelLimits() {}

    /** {@code listen()} silently caps its backlog at {@code net.core.somaxconn}. */
    static int effectiveBacklog(int requested) {
        try {
            return Math.min(
                    requested,
                    Integer.parseInt(Files.readAllLines(SOMAXCONN).get(0).strip()));
        } catch (IOException | RuntimeException e) {
            return requested;
        }
    }
}
