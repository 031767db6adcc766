package dev.udsgate.gateway.fast;

import dev.udsgate.config.UpstreamAddress;
import dev.udsgate.gateway.UpstreamFailure;
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

    private final UpstreamAddress upstream;
    private final SocketAddress address;
    private final int maxConnections;
    private final long idleTimeoutMillis;
    private final long connectTimeoutMillis;
    private final Scheduler scheduler;
    private final ByteBufferPool buffers;
    private final Executor executor;
    private final ConcurrentLinkedDeque<UpstreamConnection> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean closed;

    UpstreamPool(
            UpstreamAddress upstream,
            int maxConnections,
            long idleTimeoutMillis,
            long connectTimeoutMillis,
            Scheduler scheduler,
            ByteBufferPool buffers,
            Executor executor) {
        this.upstream = upstream;
        this.address = upstream.isUnix()
                ? UnixDomainSocketAddress.of(upstream.socketPath())
                : new InetSocketAddress(upstream.host(), upstream.port());
        this.maxConnections = maxConnections;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.scheduler = scheduler;
        this.buffers = buffers;
        this.executor = executor;
    }

    UpstreamAddress upstream() {
        return upstream;
    }

    long idleTimeoutMillis() {
        return idleTimeoutMillis;
    }

    long connectTimeoutMillis() {
        return connectTimeoutMillis;
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
     * Opens a connection for {@code exchange} where {@code host} puts it for {@code request}; the
     * exchange is told when it is reserved for it ({@link Forwarding#succeeded(UpstreamConnection)})
     * or could not be opened ({@link Forwarding#failed(Throwable)}).
     *
     * @return false if the pool is at its cap, or the connection has nowhere to live: nothing was started
     */
    boolean open(Forwarding exchange, org.eclipse.jetty.server.Request request, ChannelHost host) {
        if (closed || open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            return false;
        }
        SocketChannel channel = null;
        try {
            channel = upstream.isUnix() ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
            channel.configureBlocking(false);
            if (!upstream.isUnix()) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            boolean connected = channel.connect(address);
            Dial dial = new Dial(exchange, channel);
            if (!host.host(request, channel, dial)) {
                IO.close(channel);
                open.decrementAndGet();
                return false;
            }
            if (!connected) {
                dial.timeout = scheduler.schedule(dial::timedOut, connectTimeoutMillis, TimeUnit.MILLISECONDS);
            }
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
    private final class Dial implements ChannelHost.Outgoing {
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
