package dev.udsgate.gateway.upgrade;

import dev.udsgate.gateway.UpstreamFailure;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.io.ClientConnectionFactory;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.Transport;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upgrade request from connect to outcome: the connect (with the route's timeout), then
 * exactly one of three ends: a plain answer passed on, a tunnel, or a failure. Who ends it is
 * decided by one compare-and-set ({@link #settle}).
 */
final class UpgradeExchange implements Promise<Connection> {

    private static final Logger LOG = LoggerFactory.getLogger(UpgradeExchange.class);

    private final ClientConnector connector;
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final UpgradeTarget target;
    private final UpgradeProxy proxy;
    private final AtomicBoolean connectSettled = new AtomicBoolean();
    private final AtomicBoolean settled = new AtomicBoolean();
    /** Whether the exchange ended in a tunnel, whose end is then the exchange's. */
    private volatile boolean switched;

    private volatile Scheduler.Task connectTimeout;

    UpgradeExchange(
            ClientConnector connector,
            Request request,
            Response response,
            Callback callback,
            UpgradeTarget target,
            UpgradeProxy proxy) {
        this.connector = connector;
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.target = target;
        this.proxy = proxy;
    }

    void start() {
        Map<String, Object> context = new HashMap<>();
        context.put(Transport.CONTEXT_KEY, target.transport());
        context.put(ClientConnectionFactory.CONTEXT_KEY, (ClientConnectionFactory) this::newConnection);
        context.put(ClientConnector.CONNECTION_PROMISE_CONTEXT_KEY, this);
        long timeoutMillis = target.connectTimeout().toMillis();
        connectTimeout = connector.getScheduler().schedule(this::connectTimedOut, timeoutMillis, TimeUnit.MILLISECONDS);
        try {
            connector.connect(target.address(), context);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    private Connection newConnection(EndPoint endPoint, Map<String, Object> context) {
        endPoint.setIdleTimeout(target.silenceTimeout().toMillis());
        return new UpstreamSide(endPoint, connector.getExecutor(), connector.getByteBufferPool(), this);
    }

    /**
     * The upstream connection opened.
     *
     * @return false if the connect had timed out meanwhile: the connection must close
     */
    boolean connected() {
        Scheduler.Task timeout = connectTimeout;
        if (timeout != null) {
            timeout.cancel();
        }
        return connectSettled.compareAndSet(false, true);
    }

    /** The connector says the connection is open; {@link #connected} has been told already. */
    @Override
    public void succeeded(Connection connection) {}

    /** The connect failed. */
    @Override
    public void failed(Throwable failure) {
        if (connectSettled.compareAndSet(false, true)) {
            Scheduler.Task timeout = connectTimeout;
            if (timeout != null) {
                timeout.cancel();
            }
            fail(failure, false);
        }
    }

    private void connectTimedOut() {
        if (connectSettled.compareAndSet(false, true)) {
            fail(new UpstreamFailure.ConnectTimeout(), false);
        }
    }

    UpgradeTarget target() {
        return target;
    }

    Response response() {
        return response;
    }

    boolean isHead() {
        return "HEAD".equals(request.getMethod());
    }

    EndPoint clientEndPoint() {
        return request.getConnectionMetaData().getConnection().getEndPoint();
    }

    Executor clientExecutor() {
        return request.getConnectionMetaData().getConnector().getExecutor();
    }

    UpgradeProxy proxy() {
        return proxy;
    }

    private boolean settle() {
        return settled.compareAndSet(false, true);
    }

    /** The upstream's answer (not a 101) went to the client whole. */
    void answered() {
        if (settle()) {
            target.ended(true);
            callback.succeeded();
        }
    }

    /**
     * The upstream switched protocols: its {@code 101} is written to the client, then Jetty hands
     * the client's endpoint to the tunnel ({@link HttpStream#UPGRADE_CONNECTION_ATTRIBUTE}).
     */
    void switchTo(UpgradeTunnel tunnel) {
        if (!settle()) {
            tunnel.clientNeverOpened(new IllegalStateException("the exchange had ended"));
            return;
        }
        switched = true;
        request.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, tunnel.client());
        // Jetty upgrades the endpoint as the request's stream succeeds, which is when both the
        // handler has returned and this answer is written, in whichever order (an upstream on a
        // local socket can answer before the handler returns): only then can it be told whether
        // the tunnel took the endpoint over.
        request.addHttpStreamWrapper(stream -> new HttpStream.Wrapper(stream) {
            @Override
            public void succeeded() {
                super.succeeded();
                if (clientEndPoint().getConnection() != tunnel.client()) {
                    LOG.debug("the client's connection was not handed to the tunnel");
                    tunnel.clientNeverOpened(new IllegalStateException("not upgraded"));
                }
            }

            @Override
            public void failed(Throwable failure) {
                super.failed(failure);
                tunnel.clientNeverOpened(failure);
            }
        });
        response.write(true, BufferUtil.EMPTY_BUFFER, Callback.from(callback::succeeded, failure -> {
            tunnel.clientNeverOpened(failure);
            callback.failed(failure);
        }));
    }

    /** The tunnel this exchange became has closed; {@code opened}: it carried bytes. */
    void tunnelEnded(boolean opened) {
        if (switched) {
            target.ended(opened);
        }
    }

    /**
     * The upstream could not be reached or failed before its answer was whole: before anything
     * reached the client, the gateway answers; after, the client's answer is cut short.
     */
    void fail(Throwable failure) {
        fail(failure, true);
    }

    /** @param connected whether the connection to the upstream had been made */
    private void fail(Throwable failure, boolean connected) {
        if (!settle()) {
            return;
        }
        target.ended(false);
        if (response.isCommitted()) {
            callback.failed(failure);
        } else {
            target.answerFailure(failure, connected);
        }
    }
}
