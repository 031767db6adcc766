package dev.udsgate.cli;

import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into a graceful stop. Left to the JVM, either would run shutdown hooks
 * and exit with 143 or 130; here they let the main thread drain requests and exit 0.
 */
final class ShutdownSignals {

    private static final Logger LOG = LoggerFactory.getLogger(ShutdownSignals.class);

    private final CompletableFuture<String> first = new CompletableFuture<>();

    private ShutdownSignals() {}

    static ShutdownSignals install() {
        ShutdownSignals signals = new ShutdownSignals();
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signals::received);
        }
        return signals;
    }

    private void received(Signal signal) {
        if (!first.complete("SIG" + signal.getName())) {
            LOG.info("SIG{} received: already stopping, within the shutdown timeout", signal.getName());
        }
    }

    /** Blocks until the first signal, and returns its name. */
    String awaitFirst() {
        return first.join();
    }
}
