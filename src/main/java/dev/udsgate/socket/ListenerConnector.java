package dev.udsgate.socket;

import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;

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
