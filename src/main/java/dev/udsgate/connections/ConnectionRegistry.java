package dev.udsgate.connections;

import dev.udsgate.config.ConnectionLimits;
import dev.udsgate.events.EventLog;
import dev.udsgate.socket.UnixListener;
import dev.udsgate.system.UserDirectory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.eclipse.jetty.io.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every connection on every listener: who is on the other end, what it has done, how it ended.
 *
 * <p>It is told of each connection twice, when it opens and when it closes, and never during a
 * request: the request path carries no extra work, lock or allocation. Counters are read from
 * Jetty's connection when the API asks.
 */
public final class ConnectionRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionRegistry.class);

    private final EventLog events;
    private final PeerCredentials credentials;
    private final int historySize;
    private final AtomicLong lastId = new AtomicLong();
    private final Map<Connection, TrackedConnection> open = new ConcurrentHashMap<>();
    private final Map<String, TrackedConnection> openById = new ConcurrentHashMap<>();
    private final ArrayDeque<ConnectionSnapshot> recentlyClosed;
    private final Map<String, ConnectionLimiter> limiters = new ConcurrentHashMap<>();
    private volatile boolean shuttingDown;

    public ConnectionRegistry(EventLog events, UserDirectory directory, int historySize) {
        this.events = events;
        this.credentials = new PeerCredentials(directory);
        this.historySize = historySize;
        this.recentlyClosed = new ArrayDeque<>(historySize);
    }

    /** The Jetty listener to add to one listener's connector. */
    public Connection.Listener watch(UnixListener listener) {
        return new Connection.Listener() {
            @Override
            public void onOpened(Connection connection) {
                opened(listener, connection);
            }

            @Override
            public void onClosed(Connection connection) {
                closed(connection);
            }
        };
    }

    /**
     * The limits of one listener's connections: its connector's gate and its HTTP connections.
     * Root and the user this server runs as are not held to the per-user limit.
     */
    public ConnectionLimiter limit(UnixListener listener, ConnectionLimits limits, Duration headerTimeout) {
        List<String> exempt =
                Stream.of("root", System.getProperty("user.name")).distinct().toList();
        ConnectionLimiter limiter = new ConnectionLimiter(listener.name(), limits, headerTimeout, events, exempt);
        limiters.put(listener.name(), limiter);
        return limiter;
    }

    /** The limits of the listener of that name, if it has any. */
    public Optional<ConnectionLimiter> limiter(String listener) {
        return Optional.ofNullable(limiters.get(listener));
    }

    /** From now on, connections that close do so because the server stops. */
    public void shuttingDown() {
        shuttingDown = true;
    }

    public int openCount() {
        return open.size();
    }

    public long acceptedCount() {
        return lastId.get();
    }

    /** Open connections (or, for {@code CLOSED}, the most recent closed ones), oldest first. */
    public List<ConnectionSnapshot> list(Optional<ConnectionState> state, Optional<String> user) {
        Stream<ConnectionSnapshot> all;
        if (state.equals(Optional.of(ConnectionState.CLOSED))) {
            synchronized (recentlyClosed) {
                all = List.copyOf(recentlyClosed).stream();
            }
        } else {
            all = open.values().stream().map(TrackedConnection::snapshot);
        }
        Predicate<ConnectionSnapshot> wanted = c -> state.map(s -> s.label().equals(c.state()))
                        .orElse(true)
                && user.map(u -> c.peer() != null && c.peer().user().matches(u)).orElse(true);
        return all.filter(wanted)
                .sorted(Comparator.comparingLong(c -> Long.parseLong(c.id())))
                .toList();
    }

    /** An open connection, or a recently closed one. */
    public Optional<ConnectionSnapshot> find(String id) {
        TrackedConnection tracked = openById.get(id);
        if (tracked != null) {
            return Optional.of(tracked.snapshot());
        }
        synchronized (recentlyClosed) {
            return recentlyClosed.stream().filter(c -> c.id().equals(id)).findFirst();
        }
    }

    /** The connection a request arrived on. */
    public Optional<ConnectionSnapshot> of(Connection connection) {
        return Optional.ofNullable(open.get(connection)).map(TrackedConnection::snapshot);
    }

    /**
     * Closes an open connection: its client sees EOF, or a reset mid-request.
     *
     * @param by the connection that asked for it
     * @return false if no open connection has that id
     */
    public boolean kill(String id, Connection by) {
        TrackedConnection target = openById.get(id);
        if (target == null) {
            return false;
        }
        target.killed = true;
        TrackedConnection killer = open.get(by);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("byConnectionId", killer == null ? null : killer.id);
        data.put("byUser", killer == null || killer.peer == null ? null : killer.peer.userLabel());
        events.publish("connection.killed", target.listener.name(), id, userOf(target), data);
        LOG.info(
                "connection {} of {} on {} killed by connection {} of {}",
                id,
                userOf(target),
                target.listener.name(),
                data.get("byConnectionId"),
                data.get("byUser"));
        if (target.connection != by) {
            target.connection.getEndPoint().close();
        }
        return true;
    }

    private void opened(UnixListener listener, Connection connection) {
        String id = Long.toString(lastId.incrementAndGet());
        Peer peer = credentials.of(connection.getEndPoint()).orElse(null);
        TrackedConnection tracked = new TrackedConnection(id, listener, peer, connection);
        open.put(connection, tracked);
        openById.put(id, tracked);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("peer", peer);
        data.put("socketPath", listener.path().toString());
        events.publish("connection.opened", listener.name(), id, userOf(tracked), data);
        LOG.debug("connection {} of {} on {} opened", id, userOf(tracked), listener.name());
    }

    private void closed(Connection connection) {
        TrackedConnection tracked = open.remove(connection);
        if (tracked == null) {
            return;
        }
        openById.remove(tracked.id);
        Instant now = Instant.now();
        CloseReason reason = tracked.killed
                ? CloseReason.KILLED
                : shuttingDown
                        ? CloseReason.SHUTDOWN
                        : HeaderDeadline.timedOut(connection)
                                ? CloseReason.HEADER_TIMEOUT
                                : tracked.idleExpired() ? CloseReason.IDLE_TIMEOUT : CloseReason.CLIENT;
        ConnectionSnapshot last = tracked.closed(now, reason);
        synchronized (recentlyClosed) {
            if (recentlyClosed.size() == historySize) {
                recentlyClosed.removeFirst();
            }
            recentlyClosed.addLast(last);
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("reason", reason.label());
        data.put("durationMillis", Duration.between(tracked.openedAt, now).toMillis());
        data.put("requests", last.requests());
        data.put("bytesIn", last.bytesIn());
        data.put("bytesOut", last.bytesOut());
        events.publish("connection.closed", tracked.listener.name(), tracked.id, userOf(tracked), data);
        LOG.debug(
                "connection {} of {} on {} closed: {}",
                tracked.id,
                userOf(tracked),
                tracked.listener.name(),
                reason.label());
    }

    private static String userOf(TrackedConnection tracked) {
        return tracked.peer == null ? null : tracked.peer.userLabel();
    }
}
