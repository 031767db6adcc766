package dev.udsgate.config;

import dev.udsgate.system.FileDescriptors;

/**
 * How many connections one listener holds at once, in all and for one peer user. A client over a
 * limit is closed as soon as it is accepted, before it is read: it costs one descriptor for a moment,
 * never a buffer or a thread.
 *
 * @param maxConnections open connections on the listener; by default what the process's file
 *     descriptor limit allows after a reserve ({@link FileDescriptors#connectionBudget()})
 * @param maxConnectionsPerUser open connections of one peer user (by its uid, as the kernel says) on
 *     the listener; root and the server's own user are not held to it
 */
public record ConnectionLimits(int maxConnections, int maxConnectionsPerUser) {

    public static final int DEFAULT_MAX_CONNECTIONS_PER_USER = 1024;

    /** Far above what one JVM can serve; a bound so that a typo cannot ask for 2^31. */
    public static final int MAX = 1_000_000;

    public ConnectionLimits {
        check("max connections", maxConnections);
        check("max connections per user", maxConnectionsPerUser);
    }

    /** The defaults for this process: its descriptor budget, and 1024 per user. */
    public static ConnectionLimits defaults() {
        return new ConnectionLimits(
                Math.min(MAX, FileDescriptors.connectionBudget()),
                Math.min(DEFAULT_MAX_CONNECTIONS_PER_USER, FileDescriptors.connectionBudget()));
    }

    private static void check(String what, int value) {
        if (value < 1 || value > MAX) {
            throw new IllegalArgumentException(what + " must be between 1 and " + MAX + ", got " + value);
        }
    }
}
