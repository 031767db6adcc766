package dev.udsgate.system;

import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Counts every request the server takes in, API and gateway alike; a LongAdder keeps it contention-free. */
public final class RequestCounter extends Handler.Wrapper {

    private final LongAdder received = new LongAdder();

    public RequestCounter(Handler next) {
        super(next);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        received.increment();
        return super.handle(request, response, callback);
    }

    public long received() {
        return received.sum();
    }
}
