package dev.udsgate.peer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** The process table through {@code /proc} (or a folder laid out like it, in tests). */
public final class ProcFs implements ProcessTable {

    /**
     * Linux's {@code USER_HZ}, the unit of {@code /proc}'s times: 100 on every architecture udsgate
     * runs on (it is part of the kernel's ABI there, whatever the kernel's own tick rate).
     */
    static final long USER_HZ = 100;

    private final Path root;
    private final long clockTicksPerSecond;
    private final long bootEpochSecond;

    public ProcFs(Path root, long clockTicksPerSecond) {
        this.root = root;
        this.clockTicksPerSecond = clockTicksPerSecond;
        this.bootEpochSecond = readBootTime(root);
    }

    /** The real one. */
    public static ProcFs system() {
        return new ProcFs(Path.of("/proc"), USER_HZ);
    }

    @Override
    public Optional<ProcessInfo> read(int pid) {
        Path process = root.resolve(Integer.toString(pid));
        try {
            String status = Files.readString(process.resolve("status"));
            long startTicks = parseStartTicks(Files.readString(process.resolve("stat")));
            Optional<String> cgroupFile = readIfAllowed(process.resolve("cgroup"));
            Optional<String> cgroup = cgroupFile.map(ProcFs::mainCgroupPath);
            Optional<Container> container = cgroupFile.flatMap(ContainerParser::fromCgroupFile);
            if (container.isEmpty()) {
                container = readIfAllowed(process.resolve("mountinfo")).flatMap(ContainerParser::fromMountinfo);
            }
            return Optional.of(new ProcessInfo(
                    statusField(status, "Name:").orElse(""),
                    readLink(process.resolve("exe")),
                    startTicks,
                    Instant.ofEpochMilli(bootEpochSecond * 1000 + startTicks * 1000 / clockTicksPerSecond),
                    parseGroups(statusField(status, "Groups:").orElse("")),
                    cgroup,
                    container));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public OptionalLong startTicks(int pid) {
        try {
            return OptionalLong.of(parseStartTicks(Files.readString(root.resolve(pid + "/stat"))));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public boolean pidfdRefersTo(int pidfd, int pid) {
        try {
            return statusField(Files.readString(root.resolve("self/fdinfo/" + pidfd)), "Pid:")
                    .map(value -> value.equals(Integer.toString(pid)))
                    .orElse(false);
        } catch (IOException e) {
            return false;
        }
    }

    /** Field 22 of {@code stat}; the command in field 2 may hold spaces and parentheses. */
    static long parseStartTicks(String stat) {
        String[] afterCommand = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // afterCommand[0] is field 3 (state): field 22 is at index 19.
        return Long.parseLong(afterCommand[19]);
    }

    static List<Long> parseGroups(String groups) {
        List<Long> ids = new ArrayList<>();
        for (String id : groups.trim().split("\\s+")) {
            if (!id.isEmpty()) {
                ids.add(Long.parseLong(id));
            }
        }
        return ids;
    }

    /** The v2 entry ({@code 0::PATH}), else the systemd one, else the first. */
    static String mainCgroupPath(String cgroupFile) {
        List<String> lines = cgroupFile.lines().toList();
        return lines.stream()
                .filter(line -> line.startsWith("0::"))
                .findFirst()
                .or(() -> lines.stream()
                        .filter(line -> line.contains(":name=systemd:"))
                        .findFirst())
                .or(() -> lines.stream().findFirst())
                .map(ContainerParser::pathOf)
                .orElse("");
    }

    static Optional<String> statusField(String status, String name) {
        return status.lines()
                .filter(line -> line.startsWith(name))
                .findFirst()
                .map(line -> line.substring(name.length()).trim());
    }

    private static Optional<String> readIfAllowed(Path file) {
        try {
            return Optional.of(Files.readString(file));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> readLink(Path link) {
        try {
            return Optional.of(Files.readSymbolicLink(link).toString());
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    private static long readBootTime(Path root) {
        try {
            return statusField(Files.readString(root.resolve("stat")), "btime")
                    .map(Long::parseLong)
                    .orElse(0L);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
