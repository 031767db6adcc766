package dev.udsgate.socket;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.IO;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A Jetty connector that serves the listening channel {@link #openChannel()} hands it, whether
 * udsgate bound it or systemd passed it in.
 *
 * <p>Why not Jetty's {@code UnixDomainServerConnector}: it makes its channel in a private {@code
 * open()}, either by binding its path or from {@code System.inheritedChannel()} (fd 0 only), and
 * on stop deletes whatever file is at its path. Here the channel comes from outside and the
 * connector never touches a file: the {@link UnixListener} owns the socket file, or knows that
 * systemd does. The rest is Jetty's {@link AbstractConnector}, as its own connectors use it:
 * acceptor threads would call {@link #accept(int)}; with none, as here, a selector accepts.
 */
abstract class ChannelConnector extends AbstractConnector {

    private static final int ACCEPTOR_THREADS = 0;

    private final SelectorManager selectors;
    private final AtomicReference<Closeable> selectorAcceptor = new AtomicReference<>();
    private volatile ServerSocketChannel channel;

    ChannelConnector(Server server, ConnectionFactory... factories) {
        // Jetty's defaults, as UnixDomainServerConnector(server, factories) takes them (the server's
        // executor, scheduler and buffers, selectors sized by the number of cores), but no acceptor
        // thread: the selector accepts, and a client's connection is opened on the thread that saw it
        // arrive. An acceptor thread hands every accepted channel to the selector through a wake-up;
        // with a new connection per request that cost about 3 us of CPU per connection (39 against 36).
        super(server, null, null, null, ACCEPTOR_THREADS, factories);
        this.selectors = newSelectorManager(getExecutor(), getScheduler(), -1);
        installBean(selectors, true);
    }

    /** Called once, from the constructor: the selectors that serve accepted (and dialled) channels. */
    protected abstract SelectorManager newSelectorManager(Executor executor, Scheduler scheduler, int selectors);

    /** The listening channel to serve, bound and listening; called at each start. */
    protected abstract ServerSocketChannel openChannel() throws IOException;

    @Override
    protected void doStart() throws Exception {
        getBeans(SelectorManager.SelectorManagerListener.class).forEach(selectors::addEventListener);
        channel = openChannel();
        addBean(channel);
        super.doStart();
        if (getAcceptors() == 0) {
            channel.configureBlocking(false);
            selectorAcceptor.set(selectors.acceptor(channel));
        }
    }

    @Override
    protected void doStop() throws Exception {
        super.doStop();
        ServerSocketChannel open = channel;
        channel = null;
        if (open != null) {
            removeBean(open);
            IO.close(open);
        }
        getBeans(SelectorManager.SelectorManagerListener.class).forEach(selectors::removeEventListener);
    }

    /** Accepting on a selector, when there are no acceptor threads: stop or start it. */
    @Override
    public void setAccepting(boolean accepting) {
        super.setAccepting(accepting);
        if (getAcceptors() > 0) {
            return;
        }
        if (accepting) {
            if (selectorAcceptor.get() == null) {
                Closeable acceptor = selectors.acceptor(channel);
                if (!selectorAcceptor.compareAndSet(null, acceptor)) {
                    IO.close(acceptor);
                }
            }
        } else {
            Closeable acceptor = selectorAcceptor.get();
            if (acceptor != null && selectorAcceptor.compareAndSet(acceptor, null)) {
                IO.close(acceptor);
            }
        }
    }

    /** The listening channel while started; null otherwise. */
    @Override
    public Object getTransport() {
        return channel;
    }
}
