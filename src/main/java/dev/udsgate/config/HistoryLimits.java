package dev.udsgate.config;

/**
 * Bounds on what udsgate remembers, so memory stays flat however long it runs.
 *
 * @param closedConnections closed connections kept for {@code GET /v1/connections?state=closed}
 * @param events events kept for replay with {@code since}
 * @param subscriberQueue events queued for one slow subscriber before it starts losing them
 */
public record HistoryLimits(int closedConnections, int events, int subscriberQueue) {

    public static final int MAX = 1_000_000;
    public static final HistoryLimits DEFAULTS = new HistoryLimits(256, 1024, 1024);

    public HistoryLimits {
        check("closed connection history", closedConnections);
        check("event history", events);
        check("subscriber queue", subscriberQueue);
    }

    private static void check(String what, int value) {
        if (value < 1 || value > MAX) {
            throw new IllegalArgumentException(what + " must be between 1 and " + MAX + ", got " + value);
        }
    }
}
