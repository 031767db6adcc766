package dev.udsgate.connections;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.io.Connection;

/**
 * Sees every connection open and close on the listeners it is added to. Touched once per
 * connection, never per request.
 */
public final class ConnectionTracker implements Connection.Listener {

    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder accepted = new LongAdder();

    @Override
    public void onOpened(Connection connection) {
        open.incrementAndGet();
        accepted.increment();
    }

    @Override
    public void onClosed(Connection connection) {
        open.decrementAndGet();
    }

    public int open() {
        return open.get();
    }

    public long accepted() {
        return accepted.sum();
    }
}
