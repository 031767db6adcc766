package dev.udsgate.connections;

import dev.udsgate.peer.PeerIdentity;
import dev.udsgate.peer.ProcessView;
import dev.udsgate.system.Principal;

/**
 * Who is at the other end of a connection, as the kernel says ({@code SO_PEERCRED}), read once at
 * accept: the credentials of the process that called {@code connect()}, and that process. Never
 * from a header.
 *
 * @param pid the peer's pid; null when the kernel gave none (see {@code pidNamespace})
 * @param pidNamespace {@code same}, {@code other} (pid 0 from the kernel: a pid namespace that is not
 *     udsgate's, so no pid), or {@code unknown} (pids are not read: no native access)
 * @param process the connecting process; null where it is not read (in {@code connection.opened}
 *     events, which are published at accept: it is read only when asked for)
 */
public record Peer(Principal user, Principal group, Integer pid, String pidNamespace, ProcessView process) {

    /** With the process, read now if it was not yet (and the connection is open). */
    static Peer of(PeerIdentity identity) {
        return credentialsOf(identity).withProcess(identity.process());
    }

    /** With the process only if it was read already. */
    static Peer withProcessIfRead(PeerIdentity identity) {
        return credentialsOf(identity).withProcess(identity.processIfRead().orElse(null));
    }

    /** Without the process: nothing but what the kernel gave at accept. */
    static Peer credentialsOf(PeerIdentity identity) {
        Integer pid = identity.pid().isPresent() ? identity.pid().getAsInt() : null;
        return new Peer(
                identity.user(), identity.group(), pid, identity.pidNamespace().label(), null);
    }

    private Peer withProcess(ProcessView process) {
        return new Peer(user, group, pid, pidNamespace, process);
    }

    /** What the API and the logs call this peer: its user name, or its uid when it has no name. */
    public String userLabel() {
        return labelOf(user);
    }

    static String labelOf(Principal user) {
        return user.name() != null ? user.name() : String.valueOf(user.id());
    }
}
