package dev.udsgate.gateway;

import dev.udsgate.config.UpstreamAddress;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.io.Transport;

/**
 * One upstream of one route, with its health and traffic. Counters are LongAdders and an
 * AtomicInteger: updated per proxied request without a lock.
 */
public final class Upstream {

    private final String route;
    private final UpstreamAddress address;
    /**
     * How Jetty's client reaches a Unix upstream, or null for TCP; one per upstream, reused: the
     * client pools connections by destination, and a new Transport per request would be a new
     * destination each time.
     */
    private final Transport transport;

    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder served = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private volatile boolean healthy = true;
    private volatile Instant lastCheckAt;
    private volatile String lastCheckResult;
    private int consecutiveFailures;
    private int consecutiveSuccesses;

    Upstream(String route, UpstreamAddress address) {
        this.route = route;
        this.address = address;
        this.transport = address.isUnix() ? new Transport.TCPUnix(address.socketPath()) : null;
    }

    Transport transport() {
        return transport;
    }

    public String route() {
        return route;
    }

    public UpstreamAddress address() {
        return address;
    }

    public boolean healthy() {
        return healthy;
    }

    void begin() {
        inFlight.incrementAndGet();
    }

    /** A request counted by {@link #begin} went elsewhere after all. */
    void cancel() {
        inFlight.decrementAndGet();
    }

    void end(boolean ok) {
        inFlight.decrementAndGet();
        if (ok) {
            served.increment();
        } else {
            failed.increment();
        }
    }

    /**
     * Records one health check and applies the thresholds.
     *
     * @return the new health if it changed, else null
     */
    synchronized Boolean checked(boolean ok, String result, int healthyThreshold, int unhealthyThreshold) {
        lastCheckAt = Instant.now();
        lastCheckResult = result;
        if (ok) {
            consecutiveFailures = 0;
            consecutiveSuccesses++;
            if (!healthy && consecutiveSuccesses >= healthyThreshold) {
                healthy = true;
                return Boolean.TRUE;
            }
        } else {
            consecutiveSuccesses = 0;
            consecutiveFailures++;
            if (healthy && consecutiveFailures >= unhealthyThreshold) {
                healthy = false;
                return Boolean.FALSE;
            }
        }
        return null;
    }

    public synchronized UpstreamStatus status() {
        return new UpstreamStatus(
                route,
                address.text(),
                healthy ? "healthy" : "unhealthy",
                lastCheckAt,
                lastCheckResult,
                consecutiveFailures,
                inFlight.get(),
                served.sum(),
                failed.sum());
    }

    /**
     * An upstream as {@code GET /v1/upstreams} shows it.
     *
     * @param lastCheckAt null until a health check has run (or when the route has none)
     * @param lastCheckResult what the last check saw, such as {@code "200"} or {@code "connection refused"}
     * @param served requests answered by it (any status)
     * @param failed requests it could not answer: refused, timed out, cut off
     */
    public record UpstreamStatus(
            String route,
            String address,
            String health,
            Instant lastCheckAt,
            String lastCheckResult,
            int consecutiveFailures,
            int inFlight,
            long served,
            long failed) {}
}
