package dev.udsgate.peer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.udsgate.peer.PeerIdentity.PidGuard;
import dev.udsgate.system.Principal;
import dev.udsgate.system.UserDirectory;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The pid-reuse guard: a process is described only if it is the one that connected. */
class PeerIdentityTest {

    private static final int PID = 4242;
    private static final Principal ROOT = new Principal("root", 0L);

    private final FakeProcessTable table = new FakeProcessTable();
    private final FakePidfds pidfds = new FakePidfds();

    @Test
    void aProcessStillRunningIsDescribedOnceAndForAll() {
        table.processes.put(PID, process("curl", 100));
        PeerIdentity identity = identity(new PidGuard.StartedAt(100));

        ProcessView first = identity.process();
        table.processes.put(PID, process("other", 200));

        assertThat(first.status()).isEqualTo("known");
        assertThat(first.command()).isEqualTo("curl");
        assertThat(identity.process()).as("read once").isSameAs(first);
        assertThat(table.reads).isEqualTo(1);
    }

    @Test
    void aPidNowHeldByAnotherProcessStartIsStaleNeverTheNewcomer() {
        table.processes.put(PID, process("intruder", 999));
        PeerIdentity identity = identity(new PidGuard.StartedAt(100));

        ProcessView view = identity.process();

        assertThat(view.status()).isEqualTo("stale");
        assertThat(view.command()).isNull();
        assertThat(view.exe()).isNull();
    }

    @Test
    void aPidfdWhoseProcessHasExitedMakesWhatWasReadStale() {
        table.processes.put(PID, process("intruder", 999));
        table.pidfdAlive = false;
        PeerIdentity identity = identity(new PidGuard.FromSocket(pidfds));

        assertThat(identity.process().status()).isEqualTo("stale");
        assertThat(pidfds.open).as("pidfds left open").isZero();
    }

    @Test
    void aPidfdStillReferringToThePidVouchesForWhatWasRead() {
        table.processes.put(PID, process("curl", 100));
        PeerIdentity identity = identity(new PidGuard.FromSocket(pidfds));

        assertThat(identity.process().status()).isEqualTo("known");
        assertThat(pidfds.open).as("pidfds left open").isZero();
    }

    @Test
    void noPidfdIsTakenUntilTheProcessIsAskedFor() {
        table.processes.put(PID, process("curl", 100));
        PeerIdentity identity = identity(new PidGuard.FromSocket(pidfds));
        assertThat(pidfds.taken).isZero();

        identity.process();
        identity.process();

        assertThat(pidfds.taken).as("taken once, when first asked").isEqualTo(1);
    }

    @Test
    void aSocketThatGivesNoPidfdAnyMoreIsStaleNeverTheNewcomer() {
        table.processes.put(PID, process("intruder", 999));
        pidfds.given = false; // the process is gone (older kernels), or the connection is closing

        ProcessView view = identity(new PidGuard.FromSocket(pidfds)).process();

        assertThat(view.status()).isEqualTo("stale");
        assertThat(view.command()).isNull();
        assertThat(table.reads).as("/proc not read").isZero();
    }

    @Test
    void aProcessGoneFromTheTableIsStale() {
        assertThat(identity(new PidGuard.StartedAt(100)).process().status()).isEqualTo("stale");
    }

    @Test
    void noPidMeansNoProcessAndSaysWhy() {
        PeerIdentity otherNamespace = new PeerIdentity(ROOT, ROOT, 0, PidGuard.NONE, table, new UserDirectory());
        assertThat(otherNamespace.pid()).isEmpty();
        assertThat(otherNamespace.pidNamespace()).isEqualTo(PeerIdentity.PidNamespace.OTHER);
        assertThat(otherNamespace.process().status()).isEqualTo("unavailable");

        PeerIdentity notRead = new PeerIdentity(ROOT, ROOT, 0, new PidGuard.NotRead(), null, new UserDirectory());
        assertThat(notRead.pidNamespace()).isEqualTo(PeerIdentity.PidNamespace.UNKNOWN);
        assertThat(notRead.process().status()).isEqualTo("unavailable");
    }

    private PeerIdentity identity(PidGuard guard) {
        return new PeerIdentity(ROOT, ROOT, PID, guard, table, new UserDirectory());
    }

    private static ProcessInfo process(String command, long startTicks) {
        return new ProcessInfo(
                command,
                Optional.of("/usr/bin/" + command),
                startTicks,
                Instant.EPOCH,
                List.of(),
                Optional.of("/"),
                Optional.empty());
    }

    private static final class FakePidfds implements PidGuard.PidfdSource {
        boolean given = true;
        int taken;
        int open;

        @Override
        public OptionalInt open() {
            if (!given) {
                return OptionalInt.empty();
            }
            taken++;
            open++;
            return OptionalInt.of(100 + taken);
        }

        @Override
        public void close(int pidfd) {
            open--;
        }
    }

    private static final class FakeProcessTable implements ProcessTable {
        final Map<Integer, ProcessInfo> processes = new HashMap<>();
        boolean pidfdAlive = true;
        int reads;

        @Override
        public Optional<ProcessInfo> read(int pid) {
            reads++;
            return Optional.ofNullable(processes.get(pid));
        }

        @Override
        public OptionalLong startTicks(int pid) {
            ProcessInfo info = processes.get(pid);
            return info == null ? OptionalLong.empty() : OptionalLong.of(info.startTicks());
        }

        @Override
        public boolean pidfdRefersTo(int pidfd, int pid) {
            return pidfdAlive;
        }
    }
}
