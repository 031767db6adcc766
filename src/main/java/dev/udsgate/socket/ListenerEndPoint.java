package dev.udsgate.socket;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Jetty's socket endpoint, remembering whether it was closed for being idle (Jetty does not say why
 * it closed), and who is at the other end.
 */
public final class ListenerEndPoint extends SocketChannelEndPoint {

    private static final Optional<UnixDomainPrincipal> UNKNOWN = Optional.empty();

    private volatile boolean idleExpired;
    private volatile Optional<UnixDomainPrincipal> peer;
    private volatile Object admission;

    ListenerEndPoint(SocketChannel channel, ManagedSelector selector, SelectionKey key, Scheduler scheduler) {
        super(channel, selector, key, scheduler);
    }

    @Override
    protected void onIdleExpired(TimeoutException timeout) {
        idleExpired = true;
        super.onIdleExpired(timeout);
    }

    /** True once the idle timeout fired on this endpoint. */
    public boolean idleExpired() {
        return idleExpired;
    }

    /**
     * The peer's user and group as the kernel says ({@code SO_PEERCRED}), read on the first call
     * only: the JDK resolves them to names through NSS, which costs microseconds and may block, so
     * never call this on the accepting thread or a selector. Empty if the kernel would not say.
     */
    public Optional<UnixDomainPrincipal> peer() {
        Optional<UnixDomainPrincipal> known = peer;
        if (known == null) {
            try {
                known = Optional.of(getChannel().getOption(ExtendedSocketOptions.SO_PEERCRED));
            } catch (IOException | UnsupportedOperationException e) {
                known = UNKNOWN;
            }
            peer = known;
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
