package dev.udsgate.socket;

import dev.udsgate.peer.PeerIdentity;
import dev.udsgate.peer.PeerReader;
import dev.udsgate.peer.PeerSocket;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Jetty's socket endpoint, remembering whether it was closed for being idle (Jetty does not say why
 * it closed), and who is at the other end.
 */
public final class ListenerEndPoint extends SocketChannelEndPoint implements PeerSocket {

    private static final Optional<PeerIdentity> UNKNOWN = Optional.empty();

    private final PeerReader peers;
    private volatile boolean idleExpired;
    private volatile Optional<PeerIdentity> peer;
    private volatile Object admission;
    private volatile Object tracking;
    /** Guarded by this. */
    private boolean closing;

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

    /** No read of the peer runs while the channel closes, nor starts after ({@link #whileOpen}). */
    @Override
    public void doClose() {
        synchronized (this) {
            closing = true;
        }
        super.doClose();
    }

    @Override
    public OptionalInt whileOpen(IntSupplier call) {
        synchronized (this) {
            return closing || !getChannel().isOpen() ? OptionalInt.empty() : OptionalInt.of(call.getAsInt());
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
                    known = peers.read(this);
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

    /**
     * What the connection registry keeps of this connection while it is open (null when it keeps
     * nothing): carried here rather than in a map of its own, which would cost every accept and
     * close a look-up, and is found from the request's connection, before and after an upgrade.
     */
    public Object tracking() {
        return tracking;
    }

    public void tracking(Object tracking) {
        this.tracking = tracking;
    }
}
