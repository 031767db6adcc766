package dev.udsgate.socket;

import dev.udsgate.peer.PeerIdentity;
import dev.udsgate.peer.PeerReader;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Jetty's socket endpoint, remembering whether it was closed for being idle (Jetty does not say why
 * it closed), and who is at the other end.
 */
public final class ListenerEndPoint extends SocketChannelEndPoint {

    private static final Optional<PeerIdentity> UNKNOWN = Optional.empty();

    private final PeerReader peers;
    private volatile boolean idleExpired;
    private volatile Optional<PeerIdentity> peer;
    private volatile Object admission;

    ListenerEndPoint(
            SocketChannel channel, ManagedSelector selector, SelectionKey key, Scheduler scheduler, PeerReader peers) {
        super(channel, selector, key, scheduler);
        this.peers = peers;
    }

    @Override
    protected void onIdleExpired(TimeoutException timeout) {
        idleExpired = true;
        super.onIdleExpired(timeout);
    }

    /** The peer's pidfd, if one is still held, goes with the connection, whoever else saw the peer. */
    @Override
    public void onClose(Throwable cause) {
        super.onClose(cause);
        Optional<PeerIdentity> known = peer;
        if (known != null) {
            known.ifPresent(PeerIdentity::release);
        }
    }

    /** True once the idle timeout fired on this endpoint. */
    public boolean idleExpired() {
        return idleExpired;
    }

    /**
     * Who is at the other end, as the kernel says, read on the first call only, for the connection
     * limits and the connection registry alike. Empty if the kernel would not say.
     */
    public Optional<PeerIdentity> peer() {
        Optional<PeerIdentity> known = peer;
        if (known == null) {
            synchronized (this) {
                known = peer;
                if (known == null) {
                    known = peers.read(getChannel());
                    peer = known.isPresent() ? known : UNKNOWN;
                }
            }
        }
        return known;
    }

    /** What the listener's {@link ConnectionGate} noted about this connection when it let it in. */
    public Object admission() {
        return admission;
    }

    public void admission(Object admission) {
        this.admission = admission;
    }
}
