package dev.udsgate.connections;

import dev.udsgate.config.ConnectionLimits;
import dev.udsgate.events.EventLog;
import dev.udsgate.events.Occurrence;
import dev.udsgate.peer.PeerIdentity;
import dev.udsgate.peer.PeerReader;
import dev.udsgate.socket.ConnectionTracker;
import dev.udsgate.socket.ListenerConnector;
import dev.udsgate.socket.ListenerEndPoint;
import dev.udsgate.socket.UnixListener;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.component.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every connection on every listener: who is on the other end, what it has done, how it ended.
 *
 * <p>It is told of each connection twice, when it opens and when it closes, and never during a
 * request: the request path carries no extra work, lock or allocation. Counters are read from
 * Jetty's connection when the API asks. An open connection is carried by its endpoint
 * ({@link ListenerEndPoint#tracking}), and the open ones are those of the endpoints each connector
 * already keeps: no map of our own costs every accept and close a look-up. A closed one is kept as a
 * few numbers, made into a {@link ConnectionSnapshot} only when asked for.
 */
public final class ConnectionRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionRegistry.class);

    private final EventLog events;
    private final PeerReader peers;
    private final int historySize;
    private final AtomicLong lastId = new AtomicLong();
    /** The connectors tracked, until each stops: their endpoints are the open connections. */
    private final List<ListenerConnector> connectors = new CopyOnWriteArrayList<>();

    private final ArrayDeque<ClosedConnection> recentlyClosed;
    private final Map<String, ConnectionLimiter> limiters = new ConcurrentHashMap<>();
    private volatile boolean shuttingDown;

    public ConnectionRegistry(EventLog events, PeerReader peers, int historySize) {
        this.events = events;
        this.peers = peers;
        this.historySize = historySize;
        this.recentlyClosed = new ArrayDeque<>(historySize);
    }

    /**
     * Tracks the connections of one listener's connector from now on, and forgets the connector when
     * it stops (a reload takes its listener away).
     */
    public void track(ListenerConnector connector) {
        UnixListener listener = connector.listener();
        connectors.add(connector);
        connector.track(new ConnectionTracker() {
            @Override
            public void opened(ListenerEndPoint endPoint, Connection connection) {
                ConnectionRegistry.this.opened(listener, endPoint, connection);
            }

            @Override
            public void closed(ListenerEndPoint endPoint, Connection connection) {
                ConnectionRegistry.this.closed(endPoint, connection);
            }
        });
        connector.addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStopped(LifeCycle stopped) {
                connectors.remove(connector);
            }
        });
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

    /** How peers are read, for {@code /v1/info}. */
    public PeerReader.Kind peerReader() {
        return peers.kind();
    }

    public int openCount() {
        return (int) open().count();
    }

    public long acceptedCount() {
        return lastId.get();
    }

    /** Open connections (or, for {@code CLOSED}, the most recent closed ones), oldest first. */
    /** @param listener only the connections of the listener of this name; empty: any */
    public List<ConnectionSnapshot> list(
            Optional<ConnectionState> state, Optional<String> user, Optional<String> listener) {
        Stream<ConnectionSnapshot> all;
        if (state.equals(Optional.of(ConnectionState.CLOSED))) {
            synchronized (recentlyClosed) {
                all = List.copyOf(recentlyClosed).stream().map(ClosedConnection::snapshot);
            }
        } else {
            all = open().map(TrackedConnection::snapshot);
        }
        Predicate<ConnectionSnapshot> wanted = c -> state.map(s -> s.label().equals(c.state()))
                        .orElse(true)
                && user.map(u -> c.peer() != null && c.peer().user().matches(u)).orElse(true)
                && listener.map(name -> name.equals(c.listener())).orElse(true);
        return all.filter(wanted)
                .sorted(Comparator.comparingLong(c -> Long.parseLong(c.id())))
                .toList();
    }

    /** An open connection, or a recently closed one. */
    public Optional<ConnectionSnapshot> find(String id) {
        TrackedConnection tracked = openWithId(id);
        if (tracked != null) {
            return Optional.of(tracked.snapshot());
        }
        Optional<ClosedConnection> closed;
        synchronized (recentlyClosed) {
            closed = recentlyClosed.stream().filter(c -> c.id().equals(id)).findFirst();
        }
        return closed.map(ClosedConnection::snapshot);
    }

    /** The connection a request arrived on. */
    public Optional<ConnectionSnapshot> of(Connection connection) {
        return Optional.ofNullable(trackedOf(connection)).map(TrackedConnection::snapshot);
    }

    /** The peer user of an open connection as events name it (name, else uid), if it is tracked. */
    public Optional<String> userOf(Connection connection) {
        TrackedConnection tracked = trackedOf(connection);
        return tracked == null ? Optional.empty() : Optional.ofNullable(tracked.userLabel());
    }

    /** The peer of an open connection, as read at accept; empty if untracked or the kernel would not say. */
    public Optional<ConnectionPeer> peerOf(Connection connection) {
        TrackedConnection tracked = trackedOf(connection);
        return tracked == null || tracked.peer == null
                ? Optional.empty()
                : Optional.of(new ConnectionPeer(tracked.id, tracked.listener.name(), tracked.peer));
    }

    /**
     * Closes an open connection: its client sees EOF, or a reset mid-request.
     *
     * @param by the connection that asked for it
     * @return false if no open connection has that id
     */
    public boolean kill(String id, Connection by) {
        TrackedConnection target = openWithId(id);
        if (target == null) {
            return false;
        }
        target.killed = true;
        TrackedConnection killer = trackedOf(by);
        Occurrence.ConnectionKilled killed = new Occurrence.ConnectionKilled(
                target.listener.name(),
                id,
                target.userLabel(),
                killer == null ? null : killer.id,
                killer == null ? null : killer.userLabel());
        events.publish(killed);
        LOG.info(
                "connection {} of {} on {} killed by connection {} of {}",
                id,
                killed.user(),
                killed.listener(),
                killed.byConnectionId(),
                killed.byUser());
        if (by == null || target.endPoint != by.getEndPoint()) {
            target.endPoint.close();
        }
        return true;
    }

    private void opened(UnixListener listener, ListenerEndPoint endPoint, Connection connection) {
        String id = Long.toString(lastId.incrementAndGet());
        // The endpoint reads its peer once, for the limits and for us alike.
        PeerIdentity peer = endPoint.peer().orElse(null);
        TrackedConnection tracked = new TrackedConnection(id, listener, peer, endPoint, connection);
        endPoint.tracking(tracked);
        events.publish(
                new Occurrence.ConnectionOpened(
                        listener.name(),
                        id,
                        tracked.userLabel(),
                        peer == null ? null : Peer.credentialsOf(peer),
                        listener.path().toString()),
                tracked.openedAt);
        if (LOG.isDebugEnabled()) {
            LOG.debug("connection {} of {} on {} opened", id, tracked.userLabel(), listener.name());
        }
    }

    private Stream<TrackedConnection> open() {
        return connectors.stream()
                .flatMap(connector -> connector.getConnectedEndPoints().stream())
                .map(endPoint -> endPoint instanceof ListenerEndPoint listenerEndPoint
                                && listenerEndPoint.tracking() instanceof TrackedConnection tracked
                        ? tracked
                        : null)
                .filter(Objects::nonNull);
    }

    /** A scan, for the API only: the open connections are not kept by id. */
    private TrackedConnection openWithId(String id) {
        return open().filter(tracked -> tracked.id.equals(id)).findFirst().orElse(null);
    }

    /** The open connection that {@code connection} is (or was upgraded from); null if there is none. */
    private static TrackedConnection trackedOf(Connection connection) {
        return connection != null
                        && connection.getEndPoint() instanceof ListenerEndPoint endPoint
                        && endPoint.tracking() instanceof TrackedConnection tracked
                ? tracked
                : null;
    }

    /** @param connection the endpoint's last connection (what it was upgraded to, if it was) */
    private void closed(ListenerEndPoint endPoint, Connection connection) {
        if (!(endPoint.tracking() instanceof TrackedConnection tracked)) {
            return; // its opening failed, or it was never ours
        }
        endPoint.tracking(null);
        long now = System.currentTimeMillis();
        CloseReason reason = tracked.killed
                ? CloseReason.KILLED
                : shuttingDown
                        ? CloseReason.SHUTDOWN
                        : HeaderDeadline.timedOut(connection)
                                ? CloseReason.HEADER_TIMEOUT
                                : tracked.idleExpired() ? CloseReason.IDLE_TIMEOUT : CloseReason.CLIENT;
        ClosedConnection last = tracked.closed(now, reason);
        if (tracked.peer != null) {
            tracked.peer.release();
        }
        synchronized (recentlyClosed) {
            if (recentlyClosed.size() == historySize) {
                recentlyClosed.removeFirst();
            }
            recentlyClosed.addLast(last);
        }
        events.publish(
                new Occurrence.ConnectionClosed(
                        tracked.listener.name(),
                        tracked.id,
                        tracked.userLabel(),
                        reason.label(),
                        now - tracked.openedAt,
                        last.requests(),
                        last.bytesIn(),
                        last.bytesOut()),
                now);
        if (LOG.isDebugEnabled()) {
            LOG.debug(
                    "connection {} of {} on {} closed: {}",
                    tracked.id,
                    tracked.userLabel(),
                    tracked.listener.name(),
                    reason.label());
        }
    }
}
