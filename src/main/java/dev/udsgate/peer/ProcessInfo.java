package dev.udsgate.peer;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A process as {@code /proc/PID} shows it.
 *
 * @param command its command name ({@code Name:} in {@code status}, at most 15 characters)
 * @param exe the executable's path, empty when this process may not read the link
 * @param startTicks its start, in clock ticks since boot: with the pid, names one process for good
 * @param startedAt the same as a time
 * @param supplementaryGroups its supplementary group ids ({@code Groups:} in {@code status})
 * @param cgroup its cgroup path (the v2 entry, else the first v1 entry), as this process's cgroup
 *     namespace shows it; empty if unreadable
 * @param container the container it runs in, if its cgroup or mounts name one
 */
public record ProcessInfo(
        String command,
        Optional<String> exe,
        long startTicks,
        Instant startedAt,
        List<Long> supplementaryGroups,
        Optional<String> cgroup,
        Optional<Container> container) {

    public ProcessInfo {
        supplementaryGroups = List.copyOf(supplementaryGroups);
    }
}
