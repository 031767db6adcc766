package dev.udsgate.access;

import dev.udsgate.config.AccessPolicy;
import dev.udsgate.config.AccessRule;
import dev.udsgate.config.Exposure;
import dev.udsgate.config.ListenerConfig;
import dev.udsgate.connections.ConnectionPeer;
import dev.udsgate.connections.ConnectionRegistry;
import dev.udsgate.peer.PeerIdentity;
import dev.udsgate.peer.ProcessView;
import dev.udsgate.socket.ListenerEndPoint;
import dev.udsgate.socket.UnixListener;
import dev.udsgate.system.Principal;
import dev.udsgate.system.ProcessUser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Request;

/**
 * The peer's part of every access decision on a connection, worked out once per connection and
 * kept with it until a reload gives its listener another policy: who the caller is, and which of
 * the listener's rules apply to it ({@link PeerMatches}). The listener's rules are indexed once per
 * policy ({@link RuleIndex}) and shared by its connections.
 */
public final class CallerPolicies {

    private static final String CACHED = PeerMatches.class.getName();

    private final ConnectionRegistry connections;
    private final long ownUid = ProcessUser.effectiveUid();
    private final Map<String, RuleIndex> indexes = new ConcurrentHashMap<>();

    /** @param connections for the peer and the connection id (a connection it does not track has its endpoint's peer only) */
    public CallerPolicies(ConnectionRegistry connections) {
        this.connections = connections;
    }

    PeerMatches peerMatches(Request request, ListenerConfig listener) {
        AccessPolicy policy = listener.access();
        ConnectionMetaData connection = request.getConnectionMetaData();
        if (connection.getAttribute(CACHED) instanceof PeerMatches cached && cached.policy() == policy) {
            return cached;
        }
        PeerMatches fresh = PeerMatches.of(indexOf(listener, policy), caller(connection.getConnection()));
        connection.setAttribute(CACHED, fresh);
        return fresh;
    }

    /** What applies to the caller of {@code request} on the listener it came through: {@code GET /v1/connections/self}. */
    public CallerAccess accessOf(Request request) {
        ListenerConfig listener = UnixListener.serving(request).config();
        PeerMatches peer = peerMatches(request, listener);
        List<AccessRule> rules = peer.policy().rules();
        List<Integer> applying = new ArrayList<>();
        boolean adminByRule = false;
        for (int i = 0; i < rules.size(); i++) {
            if (peer.applies()[i]) {
                applying.add(i);
                adminByRule |= rules.get(i).admin();
            }
        }
        boolean writes =
                listener.exposure().api() == Exposure.Api.FULL && (peer.caller().privileged() || adminByRule);
        return new CallerAccess(listener, applying, writes);
    }

    /** The listener's rules indexed, once per policy: made again when a reload gives it another. */
    private RuleIndex indexOf(ListenerConfig listener, AccessPolicy policy) {
        RuleIndex index = indexes.get(listener.name());
        if (index == null || index.policy() != policy) {
            index = RuleIndex.of(policy);
            indexes.put(listener.name(), index);
        }
        return index;
    }

    private Caller caller(Connection connection) {
        Optional<ConnectionPeer> tracked = connections.peerOf(connection);
        PeerIdentity identity = tracked.map(ConnectionPeer::identity)
                .or(() -> connection.getEndPoint() instanceof ListenerEndPoint endPoint
                        ? endPoint.peer()
                        : Optional.empty())
                .orElse(null);
        String id = tracked.map(ConnectionPeer::connectionId).orElse(null);
        if (identity == null) {
            return new Caller(id, null, null, () -> ProcessView.UNAVAILABLE, false);
        }
        Principal user = identity.user();
        boolean privileged = user.id() != null && (user.id() == ProcessUser.ROOT_UID || user.id() == ownUid);
        // The identity reads /proc at most once, the first time a rule asks about the process.
        return new Caller(id, user, identity.group(), identity.pid().orElse(0), identity::process, privileged);
    }
}
