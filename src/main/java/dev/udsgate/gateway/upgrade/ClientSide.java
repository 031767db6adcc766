package dev.udsgate.gateway.upgrade;

import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;

/**
 * The client's connection once its upstream has switched protocols: Jetty puts it in place of the
 * HTTP connection on the same endpoint, and it is the client's end of the {@link UpgradeTunnel}. Its byte
 * counters are the tunnel's, so the connection's totals in the API go on counting.
 */
final class ClientSide extends AbstractConnection.NonBlocking implements Connection.UpgradeTo {

    private final UpgradeTunnel tunnel;
    /** What the client sent after its request, before the tunnel opened. */
    private ByteBuffer early = BufferUtil.EMPTY_BUFFER;

    ClientSide(EndPoint endPoint, Executor executor, UpgradeTunnel tunnel) {
        super(endPoint, executor);
        this.tunnel = tunnel;
    }

    @Override
    public void onUpgradeTo(ByteBuffer buffer) {
        early = BufferUtil.copy(buffer);
    }

    @Override
    public void onOpen() {
        super.onOpen();
        tunnel.clientOpened(early);
    }

    @Override
    public void onFillable() {
        tunnel.fromClient().readable();
    }

    @Override
    public void onFillInterestedFailed(Throwable cause) {
        tunnel.abort(cause);
    }

    @Override
    public void onClose(Throwable cause) {
        super.onClose(cause);
        tunnel.closed(this);
    }

    @Override
    public long getBytesIn() {
        return tunnel.fromClient().moved();
    }

    @Override
    public long getBytesOut() {
        return tunnel.fromUpstream().moved();
    }

    @Override
    public String toConnectionString() {
        return "UpgradeClient@" + Integer.toHexString(hashCode());
    }
}
