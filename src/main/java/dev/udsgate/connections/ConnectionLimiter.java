package dev.udsgate.connections;

import dev.udsgate.config.ConnectionLimits;
import dev.udsgate.config.DurationText;
import dev.udsgate.events.EventLog;
import dev.udsgate.events.Occurrence;
import dev.udsgate.peer.PeerIdentity;
import dev.udsgate.socket.ConnectionGate;
import dev.udsgate.socket.ListenerEndPoint;
import dev.udsgate.system.FileDescriptors;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listener's limits: how many connections it holds, how many of them one peer user holds, and
 * how long a request's head may take. A refused client is closed as soon as it is accepted (as
 * HAProxy's {@code tcp-request connection reject} and nginx at {@code worker_connections} do), which
 * costs it one descriptor for a moment and never a buffer or a thread: a 503 would first need its
 * request read, holding the descriptor the limit is there to save. Each refusal is a
 * {@code connection.refused} event; the log gets one line per kind of refusal per 10 s at most.
 *
 * <p>Counting is two atomic increments per connection and one map lookup, by the user's name (the
 * uid itself when it has none); the map keeps one counter per user ever seen.
 */
public final class ConnectionLimiter implements ConnectionGate {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimiter.class);

    /** Why a connection was refused, as the {@code connection.refused} event says. */
    public enum Refusal {
        /** The listener holds {@code maxConnections}. */
        LISTENER_FULL("listenerFull"),
        /** The peer user holds {@code maxConnectionsPerUser} on the listener. */
        USER_LIMIT("userLimit");

        private final String label;

        Refusal(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final String listener;
    private final ConnectionLimits limits;
    private final Duration headerTimeout;
    private final EventLog events;
    private final List<String> exemptUsers;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<String, AtomicInteger> openByUser = new ConcurrentHashMap<>();
    private final LongAdder refusedListenerFull = new LongAdder();
    private final LongAdder refusedUserLimit = new LongAdder();
    private final LongAdder headerTimeouts = new LongAdder();
    private final OccasionalLog listenerFullLog = new OccasionalLog(OccasionalLog.INTERVAL);
    private final OccasionalLog userLimitLog = new OccasionalLog(OccasionalLog.INTERVAL);
    private final OccasionalLog headerTimeoutLog = new OccasionalLog(OccasionalLog.INTERVAL);

    /**
     * @param exemptUsers users (by name, or uid when nameless) not held to the per-user limit: root, who
     *     may stop the server anyway, and the server's own user, who is its operator
     */
    ConnectionLimiter(
            String listener,
            ConnectionLimits limits,
            Duration headerTimeout,
            EventLog events,
            List<String> exemptUsers) {
        this.listener = listener;
        this.limits = limits;
        this.headerTimeout = headerTimeout;
        this.events = events;
        this.exemptUsers = List.copyOf(exemptUsers);
    }

    /** The HTTP/1.1 connections of this listener, with its header deadline. */
    public HttpConnectionFactory httpConnections(HttpConfiguration http) {
        return new HeaderDeadline(http, headerTimeout, this::headerTimedOut);
    }

    @Override
    public boolean admitAccepted() {
        int now = open.incrementAndGet();
        if (now <= limits.maxConnections()) {
            return true;
        }
        open.decrementAndGet();
        refusedListenerFull.increment();
        // The peer is not read here: this thread accepts for everyone, and a full listener needs no name.
        refused(Refusal.LISTENER_FULL, null, limits.maxConnections());
        long unlogged = listenerFullLog.occurred();
        if (unlogged != OccasionalLog.QUIET) {
            LOG.warn(
                    "listener {}: refused a connection: {} connections are open, the most it holds"
                            + " (--max-connections){}",
                    listener,
                    limits.maxConnections(),
                    OccasionalLog.since(unlogged));
        }
        return false;
    }

    @Override
    public boolean admitPeer(ListenerEndPoint endPoint) {
        if (limits.maxConnectionsPerUser() >= limits.maxConnections()) {
            return true; // the listener's own limit comes first: no need to read the peer for it
        }
        Optional<PeerIdentity> peer = endPoint.peer();
        if (peer.isEmpty()) {
            return true; // the kernel would not say who: only the listener's limit applies
        }
        String user = Peer.labelOf(peer.get().user());
        if (exemptUsers.contains(user)) {
            return true;
        }
        AtomicInteger count = openByUser.computeIfAbsent(user, u -> new AtomicInteger());
        if (count.incrementAndGet() <= limits.maxConnectionsPerUser()) {
            endPoint.admission(count);
            return true;
        }
        count.decrementAndGet();
        refusedUserLimit.increment();
        refused(Refusal.USER_LIMIT, user, limits.maxConnectionsPerUser());
        long unlogged = userLimitLog.occurred();
        if (unlogged != OccasionalLog.QUIET) {
            LOG.warn(
                    "listener {}: refused a connection of {}: it has {} connections open, the most one user"
                            + " holds (--max-connections-per-user){}",
                    listener,
                    user,
                    limits.maxConnectionsPerUser(),
                    OccasionalLog.since(unlogged));
        }
        return false;
    }

    @Override
    public void closed(ListenerEndPoint endPoint) {
        open.decrementAndGet();
        if (endPoint.admission() instanceof AtomicInteger count) {
            count.decrementAndGet();
        }
    }

    @Override
    public void acceptFailed() {
        open.decrementAndGet();
    }

    private void refused(Refusal reason, String user, int limit) {
        events.publish(new Occurrence.ConnectionRefused(listener, user, reason.label(), limit));
    }

    private void headerTimedOut() {
        headerTimeouts.increment();
        long unlogged = headerTimeoutLog.occurred();
        if (unlogged != OccasionalLog.QUIET) {
            LOG.info(
                    "listener {}: closed a connection whose request head did not arrive within {}"
                            + " (--header-timeout){}",
                    listener,
                    DurationText.format(headerTimeout),
                    OccasionalLog.since(unlogged));
        }
    }

    /** The limits and how often they were hit, for {@code GET /v1/socket}. */
    public Status status() {
        return new Status(
                new Limits(
                        limits.maxConnections(),
                        limits.maxConnectionsPerUser(),
                        exemptUsers,
                        headerTimeout.toMillis(),
                        FileDescriptors.limit()),
                open.get(),
                new Hits(refusedListenerFull.sum(), refusedUserLimit.sum(), headerTimeouts.sum()));
    }

    /**
     * @param open connections the listener holds now
     * @param hits how often each limit was hit since the start
     */
    public record Status(Limits limits, int open, Hits hits) {}

    /**
     * @param exemptUsers users not held to {@code maxConnectionsPerUser}
     * @param fileDescriptorLimit the process's {@code RLIMIT_NOFILE}, from which the default
     *     {@code maxConnections} is derived
     */
    public record Limits(
            int maxConnections,
            int maxConnectionsPerUser,
            List<String> exemptUsers,
            long headerTimeoutMillis,
            long fileDescriptorLimit) {}

    /**
     * @param listenerFull connections refused because the listener held {@code maxConnections}
     * @param userLimit connections refused because their user held {@code maxConnectionsPerUser}
     * @param headerTimeout connections closed because a request head did not arrive within the header timeout
     */
    public record Hits(long listenerFull, long userLimit, long headerTimeout) {}
}
