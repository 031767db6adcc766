package dev.udsgate.gateway.upgrade;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client and an upstream joined after a {@code 101}: two {@link Pump}s, one each way. A half-close
 * passes through (Docker's {@code attach} client shuts its output and goes on reading); a side that
 * closes ends the other once what it sent has been delivered; a failure either way closes both. It
 * ends when both connections have closed.
 */
final class UpgradeTunnel {

    private static final Logger LOG = LoggerFactory.getLogger(UpgradeTunnel.class);

    /** One buffer each way: what the tunnel holds in memory, whatever the traffic. */
    private static final int BUFFER_BYTES = 32 * 1024;

    private final UpgradeExchange exchange;
    private final UpstreamSide upstream;
    private final ClientSide client;
    private final Pump fromClient;
    private final Pump fromUpstream;
    private final ByteBuffer earlyFromUpstream;
    private final AtomicInteger openSides = new AtomicInteger(2);
    private final AtomicBoolean clientEnded = new AtomicBoolean();
    private volatile boolean opened;

    /** @param earlyFromUpstream what the upstream sent right after its {@code 101} */
    UpgradeTunnel(
            UpgradeExchange exchange, UpstreamSide upstream, ByteBuffer earlyFromUpstream, ByteBufferPool buffers) {
        this.exchange = exchange;
        this.upstream = upstream;
        this.earlyFromUpstream = earlyFromUpstream;
        this.client = new ClientSide(exchange.clientEndPoint(), exchange.clientExecutor(), this);
        this.fromClient = new Pump(this, client, upstream.getEndPoint(), buffers.acquire(BUFFER_BYTES, true));
        this.fromUpstream = new Pump(this, upstream, client.getEndPoint(), buffers.acquire(BUFFER_BYTES, true));
    }

    /** The connection Jetty puts on the client's endpoint after the {@code 101}. */
    ClientSide client() {
        return client;
    }

    Pump fromClient() {
        return fromClient;
    }

    Pump fromUpstream() {
        return fromUpstream;
    }

    /** The client's endpoint is the tunnel's now: bytes start to flow both ways. */
    void clientOpened(ByteBuffer earlyFromClient) {
        opened = true;
        if (!exchange.proxy().opened(this)) {
            abort(new IOException("the server is stopping"));
            return;
        }
        LOG.debug("tunnel {} <-> {} open", client.getEndPoint(), upstream.getEndPoint());
        if (!client.getEndPoint().isOpen()) {
            // Closed while it was handed over: its close was the HTTP connection's, not ours.
            closed(client);
            return;
        }
        fromClient.start(earlyFromClient);
        fromUpstream.start(earlyFromUpstream);
    }

    /** The {@code 101} never reached the client, or its connection was not handed over. */
    void clientNeverOpened(Throwable failure) {
        LOG.debug("tunnel not opened", failure);
        upstream.getEndPoint().close(failure);
        closed(client);
    }

    /** One side's connection closed. */
    void closed(Connection side) {
        if (side == client) {
            if (!clientEnded.compareAndSet(false, true)) {
                return;
            }
            fromClient.sourceClosed();
        } else {
            fromUpstream.sourceClosed();
        }
        if (openSides.decrementAndGet() == 0) {
            ended();
        }
    }

    /** Something failed, or the server stops: both sides close now. */
    void abort(Throwable cause) {
        LOG.debug("tunnel aborted: {}", cause.toString());
        client.getEndPoint().close(cause);
        upstream.getEndPoint().close(cause);
    }

    private void ended() {
        exchange.proxy().closed(this);
        fromClient.release();
        fromUpstream.release();
        exchange.tunnelEnded(opened);
        LOG.debug(
                "tunnel closed: {} bytes from the client, {} from the upstream",
                fromClient.moved(),
                fromUpstream.moved());
    }
}
