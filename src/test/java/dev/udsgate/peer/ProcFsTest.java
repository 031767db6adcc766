package dev.udsgate.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a process from a folder laid out as /proc is. */
class ProcFsTest {

    private static final String ID = "4f1c0a9b2e3d4c5b6a7980f1e2d3c4b5a6978f0e1d2c3b4a5968f7e6d5c4b3a2";

    @TempDir
    Path proc;

    @Test
    void aContainerisedProcessIsReadWithItsGroupsStartAndContainer() throws Exception {
        process(4242, "my (odd) cmd", 123456, "1000 2000 65534", "0::/system.slice/docker-" + ID + ".scope\n");

        ProcessInfo info = new ProcFs(proc, 100).read(4242).orElseThrow();

        assertThat(info.command()).isEqualTo("my (odd) cmd");
        assertThat(info.exe()).contains("/usr/bin/thing");
        assertThat(info.startTicks()).isEqualTo(123456);
        // boot at 1,700,000,000 s, started 1,234.56 s later
        assertThat(info.startedAt()).isEqualTo(Instant.ofEpochMilli(1_700_001_234_560L));
        assertThat(info.supplementaryGroups()).containsExactly(1000L, 2000L, 65534L);
        assertThat(info.cgroup()).contains("/system.slice/docker-" + ID + ".scope");
        assertThat(info.container()).hasValueSatisfying(c -> assertThat(c.id()).contains(ID));
    }

    @Test
    void aProcessWithNoContainerInItsCgroupIsLookedForInItsMounts() throws Exception {
        Path dir = process(7, "sh", 5, "", "0::/\n");
        Files.writeString(
                dir.resolve("mountinfo"),
                "1118 1104 8:1 /var/lib/docker/containers/" + ID + "/hostname /etc/hostname rw - ext4 /dev/sda1 rw\n");

        ProcessInfo info = new ProcFs(proc, 100).read(7).orElseThrow();

        assertThat(info.cgroup()).contains("/");
        assertThat(info.container())
                .hasValueSatisfying(c -> assertThat(c.runtime()).contains("docker"));
    }

    @Test
    void aProcessThatIsNotThereIsEmpty() {
        assertThat(new ProcFs(proc, 100).read(99)).isEmpty();
        assertThat(new ProcFs(proc, 100).startTicks(99)).isEmpty();
    }

    @Test
    void theStartTimeIsField22WhateverTheCommandHolds() {
        String stat = "42 (a) b) (c) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10 184467";
        assertThat(ProcFs.parseStartTicks(stat)).isEqualTo(987654);
    }

    @Test
    void theMainCgroupIsTheV2EntryElseSystemdsElseTheFirst() {
        assertThat(ProcFs.mainCgroupPath("3:cpu:/a\n0::/b\n")).isEqualTo("/b");
        assertThat(ProcFs.mainCgroupPath("3:cpu:/a\n1:name=systemd:/c\n")).isEqualTo("/c");
        assertThat(ProcFs.mainCgroupPath("3:cpu:/a\n")).isEqualTo("/a");
    }

    private Path process(int pid, String command, long startTicks, String groups, String cgroup) throws Exception {
        Files.writeString(proc.resolve("stat"), "cpu  1 2 3\nbtime 1700000000\n");
        Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.writeString(dir.resolve("status"), "Name:\t" + command + "\nUid:\t0\t0\t0\t0\nGroups:\t" + groups + "\n");
        Files.writeString(
                dir.resolve("stat"),
                pid + " (" + command + ") S 1 " + pid + " " + pid + " 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
                        + startTicks + " 1000 10");
        Files.writeString(dir.resolve("cgroup"), cgroup);
        Files.createSymbolicLink(dir.resolve("exe"), Path.of("/usr/bin/thing"));
        return dir;
    }
}
