package dev.udsgate.connections;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A connection as it is at one moment.
 *
 * @param id stable for the life of the process; connections are numbered in accept order
 * @param listener name of the listener it came through
 * @param socketPath that listener's socket path
 * @param peer who is at the other end, as the kernel says; null only if the kernel would not say
 * @param lastActivityAt when bytes last moved either way
 * @param requests requests received on it
 * @param closedAt null while open
 * @param closeReason null while open
 */
public record ConnectionSnapshot(
        String id,
        String listener,
        Path socketPath,
        Peer peer,
        String state,
        Instant openedAt,
        Instant lastActivityAt,
        long requests,
        long bytesIn,
        long bytesOut,
        Instant closedAt,
        String closeReason) {}
