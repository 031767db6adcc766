package dev.udsgate.system;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * How many files this process may open ({@code RLIMIT_NOFILE}), and how many of them client
 * connections may take. The rest is a reserve for everything else a server needs a descriptor for:
 * the JVM's own files, selectors, upstream connections, health checks, the state file, and the
 * accept that refuses a client over a limit. Without it, a flood of clients takes the last
 * descriptor and every {@code accept()} fails with EMFILE ("Too many open files") for everyone.
 */
public final class FileDescriptors {

    /** The smallest reserve, whatever the limit. */
    public static final int MIN_RESERVED_FDS = 256;

    /** The reserve grows with the limit: a tenth of it, for a gateway's upstream connections. */
    public static final int RESERVED_FDS_PER_MILLE = 100;

    /** When the JVM does not say (not a Unix JVM): Linux's usual soft limit. */
    static final long ASSUMED_LIMIT = 1024;

    private static final long LIMIT = readLimit();

    private FileDescriptors() {}

    /**
     * The soft {@code RLIMIT_NOFILE} of this process (the JVM raises it to the hard limit at start
     * on Linux, unless {@code -XX:-MaxFDLimit}).
     */
    public static long limit() {
        return LIMIT;
    }

    /** Descriptors kept out of the connection budget for a process allowed {@code limit}. */
    public static long reserve(long limit) {
        return Math.max(MIN_RESERVED_FDS, limit * RESERVED_FDS_PER_MILLE / 1000);
    }

    /** The most client connections that leave the reserve untouched; at least 1. */
    public static int connectionBudget() {
        return connectionBudget(LIMIT);
    }

    static int connectionBudget(long limit) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, limit - reserve(limit)));
    }

    private static long readLimit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long limit = unix.getMaxFileDescriptorCount();
            if (limit > 0) {
                return limit;
            }
        }
        return ASSUMED_LIMIT;
    }
}
