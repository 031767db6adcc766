package dev.udsgate.socket;

import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.util.thread.Scheduler;

/** Jetty's socket endpoint, remembering whether it was closed for being idle: Jetty does not say why it closed. */
public final class ListenerEndPoint extends SocketChannelEndPoint {

    private volatile boolean idleExpired;

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
}
