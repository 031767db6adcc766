package dev.udsgate.gateway.upgrade;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.component.ContainerLifeCycle;
import org.eclipse.jetty.util.component.Graceful;

/**
 * The gateway's upgrades: a request that asks to switch protocols ({@code Upgrade: websocket},
 * Docker's {@code Upgrade: tcp}) is sent to its upstream on a connection of its own; an answer
 * other than {@code 101} is passed on as any answer is, and a {@code 101} turns the client's
 * connection and the upstream's into a two-way byte tunnel ({@link UpgradeTunnel}), until either side ends.
 *
 * <p>Upstream connections are opened with the {@link ClientConnector} it is given, non-blocking,
 * on that connector's selectors. Tunnels live until an end closes; a stop closes them all (as
 * nginx does), since the server's graceful stop would otherwise wait for them until its deadline.
 */
public final class UpgradeProxy extends ContainerLifeCycle implements Graceful {

    private final ClientConnector connector;
    private final Set<UpgradeTunnel> tunnels = ConcurrentHashMap.newKeySet();
    private volatile boolean shutdown;

    /**
     * @param connector opens the upstream connections; started and stopped with this proxy unless it
     *     is already running when this proxy starts (a connector shared with others stays theirs)
     */
    public UpgradeProxy(ClientConnector connector) {
        this.connector = connector;
        addBean(connector);
    }

    /**
     * Sends an upgrade request to its upstream, and answers it: with the upstream's answer, a
     * tunnel after a {@code 101}, or the target's answer to a failure. Never blocks.
     */
    public void forward(Request request, Response response, Callback callback, UpgradeTarget target) {
        new UpgradeExchange(connector, request, response, callback, target, this).start();
    }

    /** Tunnels open now. */
    public int tunnels() {
        return tunnels.size();
    }

    /** @return false if the server is stopping: the tunnel must close at once */
    boolean opened(UpgradeTunnel tunnel) {
        tunnels.add(tunnel);
        if (shutdown) {
            tunnels.remove(tunnel);
            return false;
        }
        return true;
    }

    void closed(UpgradeTunnel tunnel) {
        tunnels.remove(tunnel);
    }

    /** The server's graceful stop has begun: tunnels never end by themselves, so they are closed now. */
    @Override
    public CompletableFuture<Void> shutdown() {
        shutdown = true;
        IOException stopping = new IOException("the server is stopping");
        tunnels.forEach(tunnel -> tunnel.abort(stopping));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    protected void doStart() throws Exception {
        shutdown = false;
        super.doStart();
    }

    @Override
    protected void doStop() throws Exception {
        shutdown();
        super.doStop();
    }
}
