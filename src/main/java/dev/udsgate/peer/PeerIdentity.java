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
 * to another. So what is read is checked to be the connecting process's — through a pidfd the
 * socket gives for it when it is read (Linux 6.5+: it refers to that process whatever its pid
 * becomes), else through its start time recorded at accept — and a process found gone is reported
 * {@code stale}, never described by whatever holds its pid now.
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

    /** Lets go of what ties the pid to the process (nothing more can be read): when the connection closes. */
    public synchronized void release() {
        guard = PidGuard.NONE;
    }

    private ProcessView derive() {
        if (pid <= 0) {
            return ProcessView.UNAVAILABLE;
        }
        if (guard instanceof PidGuard.FromSocket fromSocket) {
            return deriveWithPidfd(fromSocket.source());
        }
        Optional<ProcessInfo> read = processes.read(pid);
        boolean same = guard instanceof PidGuard.StartedAt started
                && read.map(info -> info.startTicks() == started.ticks()).orElse(false);
        return same ? known(read.get()) : ProcessView.STALE;
    }

    private ProcessView deriveWithPidfd(PidGuard.PidfdSource source) {
        OptionalInt pidfd = source.open();
        if (pidfd.isEmpty()) {
            return ProcessView.STALE; // gone, or the connection is closing: nothing can be vouched for
        }
        try {
            Optional<ProcessInfo> read = processes.read(pid);
            // Alive after the read: it held the pid throughout, so what was read is its.
            boolean same = read.isPresent() && processes.pidfdRefersTo(pidfd.getAsInt(), pid);
            return same ? known(read.get()) : ProcessView.STALE;
        } finally {
            source.close(pidfd.getAsInt());
        }
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
        SAME("same"),
        OTHER("other"),
        UNKNOWN("unknown");

        private final String label;

        PidNamespace(String label) {
            this.label = label;
        }

        /** Made once: every connection's {@code connection.opened} event asks for it. */
        public String label() {
            return label;
        }
    }

    /** What ties a pid to the process that connected. */
    sealed interface PidGuard {
        PidGuard NONE = new Released();

        /**
         * A pidfd asked of the socket ({@code SO_PEERPIDFD}) when the process is read, and closed
         * right after: nothing is held meanwhile, and an accept costs no more than its credentials.
         */
        record FromSocket(PidfdSource source) implements PidGuard {}

        /** Where a pidfd for the connecting process is to be had. */
        interface PidfdSource {
            /** A new pidfd, or empty if the kernel gives none (the process is gone) or the socket is closed. */
            OptionalInt open();

            void close(int pidfd);
        }

        /** The start time read at accept, where the kernel has no pidfd for peers. */
        record StartedAt(long ticks) implements PidGuard {}

        /** No pid was read (the JDK's reader). */
        record NotRead() implements PidGuard {}

        /** Nothing held any more. */
        record Released() implements PidGuard {}
    }
}
