package dev.udsgate.socket;

import dev.udsgate.peer.PeerReader;
import java.io.Closeable;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A Jetty connector driven by a {@link UnixListener}: it serves the channel the listener binds, or
 * the one systemd passed in, and never touches a file itself (the listener owns the socket file,
 * or knows it is systemd's).
 */
public final class ListenerConnector extends ChannelConnector {

    /** How often the socket path is compared with the socket bound here (one {@code lstat}). */
    private static final Duration PATH_CHECK_INTERVAL = Duration.ofSeconds(1);

    private final UnixListener listener;
    private final PeerReader peers;
    private final ConnectionGate gate;
    private SelectorManager selectors;
    private final Set<EndPoint> outgoingEndPoints = ConcurrentHashMap.newKeySet();
    private final Set<SelectableChannel> dialing = ConcurrentHashMap.newKeySet();
    private volatile ConnectionTracker tracker = ConnectionTracker.NONE;

    /**
     * @param gate decides which accepted clients the listener keeps
     * @param peers reads each client's peer, once ({@link ListenerEndPoint#peer})
     */
    public ListenerConnector(
            Server server,
            UnixListener listener,
            ConnectionGate gate,
            PeerReader peers,
            ConnectionFactory... factories) {
        super(server, factories);
        this.listener = listener;
        this.gate = gate;
        this.peers = peers;
        setName(listener.name());
    }

    /**
     * Jetty's accept, with the gate first: a client over the listener's limit is closed here, at
     * once, before Jetty makes anything for it.
     */
    @Override
    protected void accept(int acceptorID) throws IOException {
        if (getTransport() instanceof ServerSocketChannel server) {
            admit(server.accept());
        }
    }

    private void admit(SocketChannel channel) throws IOException {
        if (!gate.admitAccepted()) {
            channel.close();
            return;
        }
        try {
            channel.configureBlocking(false);
            selectors.accept(channel);
        } catch (IOException | RuntimeException e) {
            gate.acceptFailed();
            channel.close();
            throw e;
        }
    }

    @Override
    protected SelectorManager newSelectorManager(Executor executor, Scheduler scheduler, int selectors) {
        // Called by the super constructor: the field has no initializer, so this value stays.
        this.selectors = new SelectorManager(executor, scheduler, selectors) {
            /**
             * Jetty hands each connection's opening (making its endpoint and connection, telling the
             * listeners) and its closing to a pool thread, so that a listener that blocks cannot hold
             * up the selector: two thread wake-ups for every connection. Here nothing they run blocks
             * (the registry, the limits and the metrics take short locks; the native peer reader makes
             * two system calls), so they run where Jetty asks for them, on the selector thread. Jetty's
             * per-connection tasks are those it would close if the pool refused them ({@code
             * Closeable}); the selector's own loop, which never returns, is not one.
             *
             * <p>Measured with a new connection per request (bench/ping.sh): 2.9 context switches per
             * connection before, 0.5 after; CPU 54 → 35 µs per connection (medians of five rounds, A/B).
             */
            @Override
            protected void execute(Runnable task) {
                if (task instanceof Closeable && !peers.mayBlock()) {
                    task.run();
                } else {
                    super.execute(task);
                }
            }

            /** Accepting on a selector (no acceptor threads) comes here instead of {@link #accept(int)}. */
            @Override
            protected void accepted(SelectableChannel channel) throws IOException {
                admit((SocketChannel) channel);
            }

            @Override
            protected EndPoint newEndPoint(SelectableChannel channel, ManagedSelector selector, SelectionKey key) {
                ListenerEndPoint endPoint =
                        new ListenerEndPoint((SocketChannel) channel, selector, key, getScheduler(), peers);
                endPoint.setIdleTimeout(getIdleTimeout());
                return endPoint;
            }

            @Override
            public Connection newConnection(SelectableChannel channel, EndPoint endPoint, Object attachment) {
                if (attachment instanceof OutgoingConnection outgoing) {
                    dialing.remove(channel);
                    outgoingEndPoints.add(endPoint);
                    return outgoing.newConnection(endPoint);
                }
                if (!gate.admitPeer((ListenerEndPoint) endPoint)) {
                    return new RefusedConnection(endPoint, getExecutor());
                }
                return getDefaultConnectionFactory().newConnection(ListenerConnector.this, endPoint);
            }

            /**
             * An outgoing connection is not a client's: it is not counted, listed, or given the
             * short idle timeout of a stop (which would cut an answer still on its way).
             */
            @Override
            protected void endPointOpened(EndPoint endPoint) {
                if (!outgoingEndPoints.contains(endPoint)) {
                    super.endPointOpened(endPoint);
                    onEndPointOpened(endPoint);
                }
            }

            @Override
            public void connectionOpened(Connection connection, Object context) {
                super.connectionOpened(connection, context);
                if (isTracked(connection)) {
                    tracker.opened((ListenerEndPoint) connection.getEndPoint(), connection);
                }
            }

            @Override
            public void connectionClosed(Connection connection, Throwable cause) {
                super.connectionClosed(connection, cause);
                if (isTracked(connection)) {
                    tracker.closed((ListenerEndPoint) connection.getEndPoint(), connection);
                }
            }

            /**
             * A client's connection, not an outgoing one (in {@code outgoingEndPoints} from its
             * making until its endpoint closes) nor one the gate refused.
             */
            private boolean isTracked(Connection connection) {
                return !(connection instanceof RefusedConnection)
                        && !outgoingEndPoints.contains(connection.getEndPoint());
            }

            @Override
            protected void endPointClosed(EndPoint endPoint) {
                if (!outgoingEndPoints.remove(endPoint)) {
                    gate.closed((ListenerEndPoint) endPoint);
                    onEndPointClosed(endPoint);
                }
                super.endPointClosed(endPoint);
            }

            /** Jetty could not make an endpoint for an accepted channel (it is stopping): give its place back. */
            @Override
            protected void onAcceptFailed(SelectableChannel channel, Throwable cause) {
                if (!dialing.remove(channel)) {
                    gate.acceptFailed();
                }
                super.onAcceptFailed(channel, cause);
            }

            @Override
            protected void connectionFailed(SelectableChannel channel, Throwable failure, Object attachment) {
                dialing.remove(channel);
                if (attachment instanceof OutgoingConnection outgoing) {
                    outgoing.connectFailed(failure);
                } else {
                    super.connectionFailed(channel, failure, attachment);
                }
            }
        };
        return this.selectors;
    }

    /** From now on, {@code tracker} is told of every client connection this listener opens and closes. */
    public void track(ConnectionTracker tracker) {
        this.tracker = tracker;
    }

    /**
     * Serves an outgoing channel on this listener's selectors. The gateway's upstream connections
     * live here rather than on a client's own selector: a request read and its answer written then
     * run on the same thread, with no hand-off (a context switch each) between two selectors.
     *
     * @param channel non-blocking, connected or with its connect begun
     */
    public void dial(SocketChannel channel, OutgoingConnection outgoing) {
        dialing.add(channel);
        if (channel.isConnected()) {
            selectors.accept(channel, outgoing);
        } else {
            selectors.connect(channel, outgoing);
        }
    }

    public UnixListener listener() {
        return listener;
    }

    /** The connector a request came through. */
    public static ListenerConnector serving(Request request) {
        return (ListenerConnector) request.getConnectionMetaData().getConnector();
    }

    /**
     * Clients connected but not yet accepted, counted now (see {@link AcceptQueue}); empty before
     * the socket is bound or if the kernel's table cannot be read. Blocks: not for a selector thread.
     */
    public OptionalInt acceptQueueLength() {
        // The kernel names a socket by the path it was bound at (for udsgate's own, the private folder's).
        Optional<Path> bound = boundPath();
        return bound.isEmpty() || !isStarted() ? OptionalInt.empty() : AcceptQueue.length(bound.get());
    }

    private Optional<Path> boundPath() {
        try {
            return getTransport() instanceof ServerSocketChannel channel
                            && channel.getLocalAddress() instanceof UnixDomainSocketAddress address
                    ? Optional.of(address.getPath())
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    protected ServerSocketChannel openChannel() throws IOException {
        return listener.open();
    }

    @Override
    protected void doStart() throws Exception {
        try {
            super.doStart();
            // Jetty accepts now: only then are clients let in (the file linked to its path).
            listener.publish();
        } catch (ListenerStartException failure) {
            throw named(failure);
        }
        schedulePathCheck();
    }

    /** With several listeners, a start failure says whose it is. */
    private ListenerStartException named(ListenerStartException failure) {
        String prefix = "listener " + listener.name() + ": ";
        return failure.getMessage().startsWith(prefix)
                ? failure
                : new ListenerStartException(prefix + failure.getMessage(), failure);
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
            super.doStop();
        } finally {
            listener.closed();
        }
    }

    /** What a client the gate refused gets: its connection is closed as soon as it opens, unread. */
    private static final class RefusedConnection extends AbstractConnection {
        RefusedConnection(EndPoint endPoint, Executor executor) {
            super(endPoint, executor);
        }

        @Override
        public void onOpen() {
            super.onOpen();
            getEndPoint().close();
        }

        @Override
        public void onFillable() {}
    }
}
