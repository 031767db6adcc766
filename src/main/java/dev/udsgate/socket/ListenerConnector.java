package dev.udsgate.socket;

import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
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

    /**
     * Jetty deletes whatever is at its path when it stops. Once the socket is published its private
     * folder goes, and in a sticky folder such as /tmp another user could make that name again: from
     * then on Jetty is given a path in /proc, where no one can create a file.
     */
    private static final Path NOTHING_TO_DELETE = Path.of("/proc/self/udsgate-bound-elsewhere");

    /** How often the socket path is compared with the socket bound here (one {@code lstat}). */
    private static final Duration PATH_CHECK_INTERVAL = Duration.ofSeconds(1);

    private final UnixListener listener;
    private SelectorManager selectors;
    private final Set<EndPoint> outgoingEndPoints = ConcurrentHashMap.newKeySet();

    public ListenerConnector(Server server, UnixListener listener, ConnectionFactory... factories) {
        super(server, factories);
        this.listener = listener;
        setName(listener.name());
        setAcceptQueueSize(listener.config().backlog());
    }

    @Override
    protected SelectorManager newSelectorManager(Executor executor, Scheduler scheduler, int selectors) {
        // Called by the super constructor: the field has no initializer, so this value stays.
        this.selectors = new UnixDomainSelectorManager(executor, scheduler, selectors) {
            @Override
            protected EndPoint newEndPoint(SelectableChannel channel, ManagedSelector selector, SelectionKey key) {
                ListenerEndPoint endPoint =
                        new ListenerEndPoint((SocketChannel) channel, selector, key, getScheduler());
                endPoint.setIdleTimeout(getIdleTimeout());
                return endPoint;
            }

            @Override
            public Connection newConnection(SelectableChannel channel, EndPoint endPoint, Object attachment) {
                if (attachment instanceof OutgoingConnection outgoing) {
                    outgoingEndPoints.add(endPoint);
                    return outgoing.newConnection(endPoint);
                }
                return super.newConnection(channel, endPoint, attachment);
            }

            /**
             * An outgoing connection is not a client's: it is not counted, listed, or given the
             * short idle timeout of a stop (which would cut an answer still on its way).
             */
            @Override
            protected void endPointOpened(EndPoint endPoint) {
                if (!outgoingEndPoints.contains(endPoint)) {
                    super.endPointOpened(endPoint);
                }
            }

            @Override
            protected void endPointClosed(EndPoint endPoint) {
                outgoingEndPoints.remove(endPoint);
                super.endPointClosed(endPoint);
            }

            @Override
            protected void connectionFailed(SelectableChannel channel, Throwable failure, Object attachment) {
                if (attachment instanceof OutgoingConnection outgoing) {
                    outgoing.connectFailed(failure);
                } else {
                    super.connectionFailed(channel, failure, attachment);
                }
            }
        };
        return this.selectors;
    }

    /**
     * Serves an outgoing channel on this listener's selectors. The gateway's upstream connections
     * live here rather than on a client's own selector: a request read and its answer written then
     * run on the same thread, with no hand-off (a context switch each) between two selectors.
     *
     * @param channel non-blocking, connected or with its connect begun
     */
    public void dial(SocketChannel channel, OutgoingConnection outgoing) {
        if (channel.isConnected()) {
            selectors.accept(channel, outgoing);
        } else {
            selectors.connect(channel, outgoing);
        }
    }

    public UnixListener listener() {
        return listener;
    }

    @Override
    protected void doStart() throws Exception {
        setUnixDomainPath(listener.prepareBind());
        super.doStart();
        listener.publish();
        setUnixDomainPath(NOTHING_TO_DELETE);
        listener.bindFolderReleased();
        schedulePathCheck();
    }

    private void schedulePathCheck() {
        getScheduler()
                .schedule(
                        () -> {
                            if (isRunning()) {
                                listener.checkPath();
                                schedulePathCheck();
                            }
                        },
                        PATH_CHECK_INTERVAL.toMillis(),
                        TimeUnit.MILLISECONDS);
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
