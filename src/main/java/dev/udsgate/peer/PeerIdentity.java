package dev.udsgate.peer;

import dev.udsgate.system.Principal;
import dev.udsgate.system.UserDirectory;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Who is at the other end of one connection: user, group and pid as the kernel gave them at
 * accept, and the process behind them, read from {@code /proc} the first time it is asked for and
 * never again.
 *
 * <p>A pid names a process only while that process lives: once it exits, the number may be given
 * to another. So what is read is checked to be the connecting process's — through the pidfd taken
 * at accept (Linux 6.5+: it refers to that process whatever its pid becomes), else through its
 * start time recorded at accept — and a process found gone is reported {@link ProcessStatus#STALE},
 * never described by whatever holds its pid now.
 */
public final class PeerIdentity {

    private final Principal user;
    private final Principal group;
    private final int pid;
    private final boolean pidRead;
    private final ProcessTable processes;
    private final UserDirectory directory;
    private PidGuard guard;
    private ProcessView process;

    PeerIdentity(
            Principal user, Principal group, int pid, PidGuard guard, ProcessTable processes, UserDirectory directory) {
        this.user = user;
        this.group = group;
        this.pid = pid;
        this.pidRead = !(guard instanceof PidGuard.NotRead);
        this.guard = guard;
        this.processes = processes;
        this.directory = directory;
    }

    public Principal user() {
        return user;
    }

    public Principal group() {
        return group;
    }

    /** The peer's pid; empty when the kernel gave none (its pid namespace is not ours) or it was not read. */
    public OptionalInt pid() {
        return pid > 0 ? OptionalInt.of(pid) : OptionalInt.empty();
    }

    public PidNamespace pidNamespace() {
        return !pidRead ? PidNamespace.UNKNOWN : pid > 0 ? PidNamespace.SAME : PidNamespace.OTHER;
    }

    /** The connecting process, read at most once. */
    public synchronized ProcessView process() {
        if (process == null) {
            process = derive();
            release();
        }
        return process;
    }

    /** The process if it was read already; never reads it. */
    public synchronized Optional<ProcessView> processIfRead() {
        return Optional.ofNullable(process);
    }

    /** Lets go of the pidfd, if one is held: when the connection closes. */
    public synchronized void release() {
        if (guard instanceof PidGuard.Pidfd pidfd) {
            pidfd.close();
        }
        guard = PidGuard.NONE;
    }

    private ProcessView derive() {
        if (pid <= 0) {
            return ProcessView.UNAVAILABLE;
        }
        Optional<ProcessInfo> read = processes.read(pid);
        boolean same = false;
        if (guard instanceof PidGuard.Pidfd pidfd) {
            // Alive after the read: it held the pid throughout, so what was read is its.
            same = processes.pidfdRefersTo(pidfd.fd(), pid);
        } else if (guard instanceof PidGuard.StartedAt started) {
            same = read.map(info -> info.startTicks() == started.ticks()).orElse(false);
        }
        return same && read.isPresent() ? known(read.get()) : ProcessView.STALE;
    }

    private ProcessView known(ProcessInfo info) {
        return new ProcessView(
                "known",
                info.command(),
                info.exe().orElse(null),
                info.startedAt(),
                info.supplementaryGroups().stream().map(directory::groupById).toList(),
                info.cgroup().orElse(null),
                info.container().map(ProcessView.ContainerView::of).orElse(null));
    }

    /**
     * {@code same}: the peer's pid, as this process sees pids; {@code other}: the peer lives in
     * another pid namespace, and the kernel gave 0; {@code unknown}: pids are not read here.
     */
    public enum PidNamespace {
        SAME,
        OTHER,
        UNKNOWN;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** What ties a pid to the process that connected. */
    sealed interface PidGuard {
        PidGuard NONE = new Released();

        /** A pidfd from {@code SO_PEERPIDFD}: closed once the process is read, or with the connection. */
        record Pidfd(int fd) implements PidGuard {
            void close() {
                LibC.close(fd);
            }
        }

        /** The start time read at accept, where the kernel has no pidfd for peers. */
        record StartedAt(long ticks) implements PidGuard {}

        /** No pid was read (the JDK's reader). */
        record NotRead() implements PidGuard {}

        /** Nothing held any more. */
        record Released() implements PidGuard {}
    }
}
