package dev.udsgate.cli;

import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into a graceful stop. Left to the JVM, either would run shutdown hooks
 * and exit with 143 or 130; here they let the main thread drain requests and exit 0. SIGHUP, which
 * would end the JVM with 129, asks for a reload instead ({@link #onHangUp}); before one is set up,
 * it is logged and ignored.
 */
final class ShutdownSignals {

    private static final Logger LOG = LoggerFactory.getLogger(ShutdownSignals.class);

    private final CompletableFuture<String> first = new CompletableFuture<>();
    private volatile Runnable onHangUp = () -> LOG.info("SIGHUP received while starting: ignored");

    private ShutdownSignals() {}

    static ShutdownSignals install() {
        ShutdownSignals signals = new ShutdownSignals();
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signals::received);
        }
        // The JVM runs each signal's handler on a thread of its own: a reload may block there.
        Signal.handle(new Signal("HUP"), signal -> signals.onHangUp.run());
        return signals;
    }

    /** What SIGHUP does from now on; a SIGHUP once stopping is ignored. */
    void onHangUp(Runnable action) {
        onHangUp = () -> {
            if (first.isDone()) {
                LOG.info("SIGHUP received: already stopping, not reloading");
            } else {
                action.run();
            }
        };
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
