package dev.udsgate.socket;

import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Jetty's Unix-domain connector, driven by a {@link UnixListener}. Jetty only ever sees the path in
 * the listener's private folder, so its habit of deleting whatever file is at its path on stop can
 * never touch the public socket path.
 */
public final class ListenerConnector extends UnixDomainServerConnector {

    private final UnixListener listener;

    public ListenerConnector(Server server, UnixListener listener, ConnectionFactory... factories) {
        super(server, factories);
        this.listener = listener;
        setName(listener.name());
        setAcceptQueueSize(listener.config().backlog());
    }

    @Override
    protected SelectorManager newSelectorManager(Executor executor, Scheduler scheduler, int selectors) {
        return new UnixDomainSelectorManager(executor, scheduler, selectors) {
            @Override
            protected EndPoint newEndPoint(SelectableChannel channel, ManagedSelector selector, SelectionKey key) {
                ListenerEndPoint endPoint =
                        new ListenerEndPoint((SocketChannel) channel, selector, key, getScheduler());
                endPoint.setIdleTimeout(getIdleTimeout());
                return endPoint;
            }
        };
    }

    public UnixListener listener() {
        return listener;
    }

    @Override
    protected void doStart() throws Exception {
        setUnixDomainPath(listener.prepareBind());
        super.doStart();
        listener.publish();
    }

    @Override
    public CompletableFuture<Void> shutdown() {
        listener.withdraw();
        return super.shutdown();
    }

    @Override
    protected void doStop() throws Exception {
        try {
            // Never bound (the path was refused): nothing of Jetty's started, and its stop would
            // fail on the missing path.
            if (getUnixDomainPath() != null) {
                super.doStop();
            }
        } finally {
            listener.closed();
        }
    }
}
