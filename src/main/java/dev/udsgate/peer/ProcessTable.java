package dev.udsgate.peer;

import java.util.Optional;
import java.util.OptionalLong;

/** The kernel's process table, as {@code /proc} shows it; an interface so a test can control it. */
public interface ProcessTable {

    /** What the table says of {@code pid} now, or empty if there is no such process. */
    Optional<ProcessInfo> read(int pid);

    /** The process's start time, in clock ticks since boot ({@code /proc/PID/stat} field 22). */
    OptionalLong startTicks(int pid);

    /**
     * Whether the process a pidfd of this process refers to is still running with {@code pid}
     * ({@code Pid:} in {@code /proc/self/fdinfo/FD}; -1 once it has exited).
     */
    boolean pidfdRefersTo(int pidfd, int pid);
}
