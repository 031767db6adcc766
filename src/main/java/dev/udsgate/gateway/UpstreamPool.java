package dev.udsgate.gateway;

import dev.udsgate.socket.ListenerConnector;
import dev.udsgate.socket.OutgoingConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.IO;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The fast path's keep-alive connections to one upstream: idle ones are reused most recent first
 * (the warm ones), new ones opened up to a cap. Idle connections stay read-interested, so one the
 * upstream closes leaves the pool at once.
 */
final class UpstreamPool {

    private final Upstream upstream;
    private final SocketAddress address;
    private final int maxConnections;
    private final long idleTimeoutMillis;
    private final long connectTimeoutMillis;
    private final Scheduler scheduler;
    private final ByteBufferPool buffers;
    private final Executor executor;
    private final boolean completesInline;
    private final String defaultHost;
    private final ConcurrentLinkedDeque<UpstreamConnection> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean closed;

    UpstreamPool(
            Upstream upstream,
            int maxConnections,
            long idleTimeoutMillis,
            long connectTimeoutMillis,
            Scheduler scheduler,
            ByteBufferPool buffers,
            Executor executor,
            boolean completesInline) {
        this.upstream = upstream;
        this.address = upstream.address().isUnix()
                ? UnixDomainSocketAddress.of(upstream.address().socketPath())
                : new InetSocketAddress(
                        upstream.address().host(), upstream.address().port());
        this.maxConnections = maxConnections;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.scheduler = scheduler;
        this.buffers = buffers;
        this.executor = executor;
        this.completesInline = completesInline;
        this.defaultHost = upstream.address().isUnix()
                ? "localhost"
                : upstream.address().host() + ":" + upstream.address().port();
    }

    /** The {@code Host} sent when the client sent none. */
    String defaultHost() {
        return defaultHost;
    }

    /**
     * Whether an exchange may complete with {@link dev.udsgate.system.ServerThreadPool#completeInline}:
     * only when every handler of the server is non-blocking, since the client's next request is
     * then handled on the thread that read this answer.
     */
    boolean completesInline() {
        return completesInline;
    }

    Upstream upstream() {
        return upstream;
    }

    long idleTimeoutMillis() {
        return idleTimeoutMillis;
    }

    ByteBufferPool buffers() {
        return buffers;
    }

    Executor executor() {
        return executor;
    }

    /** An idle connection reserved for {@code exchange}, or null if there is none. */
    UpstreamConnection takeIdle(Forwarding exchange) {
        for (UpstreamConnection connection; (connection = idle.pollFirst()) != null; ) {
            if (connection.reserve(exchange)) {
                return connection;
            }
        }
        return null;
    }

    /**
     * Opens a connection on {@code listener}'s selectors for {@code exchange}, which is told when it
     * is reserved for it ({@link Forwarding#succeeded}) or could not be opened ({@link Forwarding#failed}).
     *
     * @return false if the pool is at its cap (or closed): nothing was started
     */
    boolean open(Forwarding exchange, ListenerConnector listener) {
        if (closed || open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            return false;
        }
        SocketChannel channel = null;
        try {
            channel = upstream.address().isUnix()
                    ? SocketChannel.open(StandardProtocolFamily.UNIX)
                    : SocketChannel.open();
            channel.configureBlocking(false);
            if (!upstream.address().isUnix()) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            boolean connected = channel.connect(address);
            Dial dial = new Dial(exchange, channel);
            if (!connected) {
                dial.timeout = scheduler.schedule(dial::timedOut, connectTimeoutMillis, TimeUnit.MILLISECONDS);
            }
            listener.dial(channel, dial);
        } catch (IOException | RuntimeException e) {
            IO.close(channel);
            open.decrementAndGet();
            exchange.failed(e);
        }
        return true;
    }

    /** Back to the pool after a complete exchange; closed instead if the pool is. */
    void release(UpstreamConnection connection) {
        idle.offerFirst(connection);
        if (closed && idle.remove(connection)) {
            connection.close();
        }
    }

    /** A connection closed: it leaves the pool. */
    void closed(UpstreamConnection connection) {
        idle.remove(connection);
        open.decrementAndGet();
    }

    /** Closes the idle connections and refuses new ones; busy ones close when their exchange ends. */
    void close() {
        closed = true;
        for (UpstreamConnection connection; (connection = idle.pollFirst()) != null; ) {
            connection.close();
        }
    }

    /** One connect under way: exactly one of opened, failed or timed out wins. */
    private final class Dial implements OutgoingConnection {
        private final Forwarding exchange;
        private final SocketChannel channel;
        private final AtomicBoolean settled = new AtomicBoolean();
        private volatile Scheduler.Task timeout;

        Dial(Forwarding exchange, SocketChannel channel) {
            this.exchange = exchange;
            this.channel = channel;
        }

        @Override
        public Connection newConnection(EndPoint endPoint) {
            Scheduler.Task task = timeout;
            if (task != null) {
                task.cancel();
            }
            boolean first = settled.compareAndSet(false, true);
            if (!first) {
                open.incrementAndGet(); // connected just as it timed out: an idle connection after all
            }
            return new UpstreamConnection(endPoint, UpstreamPool.this, first ? exchange : null);
        }

        @Override
        public void connectFailed(Throwable failure) {
            if (settled.compareAndSet(false, true)) {
                open.decrementAndGet();
                exchange.failed(failure);
            }
        }

        void timedOut() {
            if (settled.compareAndSet(false, true)) {
                IO.close(channel);
                open.decrementAndGet();
                exchange.failed(new UpstreamFailure.ConnectTimeout());
            }
        }
    }
}
