package dev.udsgate.gateway;

import dev.udsgate.connections.ConnectionPeer;
import dev.udsgate.connections.ConnectionRegistry;
import dev.udsgate.peer.PeerIdentity;
import dev.udsgate.system.Principal;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Request;

/**
 * The caller's identity, as the kernel gave it at accept, told to the upstream in headers of
 * udsgate's own namespace ({@code Udsgate-*}): every such header a client sends is dropped
 * ({@link ForwardingRules#dropsFromRequest}), so an upstream behind udsgate can trust them.
 *
 * <p>Built once per connection, on its first forwarded request, and kept with the connection: a
 * keep-alive client's later requests only add the same fields again.
 */
final class IdentityHeaders {

    /** The namespace: a client's header whose name starts so never reaches an upstream. */
    static final String PREFIX = "Udsgate-";

    static final String CONNECTION = "Udsgate-Connection";
    static final String LISTENER = "Udsgate-Listener";
    static final String UID = "Udsgate-Peer-Uid";
    static final String USER = "Udsgate-Peer-User";
    static final String GID = "Udsgate-Peer-Gid";
    static final String GROUP = "Udsgate-Peer-Group";
    static final String PID = "Udsgate-Peer-Pid";

    private static final String CACHED = IdentityHeaders.class.getName();

    private final ConnectionRegistry connections;

    IdentityHeaders(ConnectionRegistry connections) {
        this.connections = connections;
    }

    /** The identity fields for the connection {@code request} came on; none if it is not known. */
    @SuppressWarnings("unchecked")
    List<HttpField> of(Request request) {
        ConnectionMetaData connection = request.getConnectionMetaData();
        Object cached = connection.getAttribute(CACHED);
        if (cached != null) {
            return (List<HttpField>) cached;
        }
        List<HttpField> fields = build(connection.getConnection());
        connection.setAttribute(CACHED, fields);
        return fields;
    }

    /** True if a header is in udsgate's identity namespace. */
    static boolean isOurs(String name) {
        return name.regionMatches(true, 0, PREFIX, 0, PREFIX.length());
    }

    private List<HttpField> build(Connection connection) {
        if (connections == null) {
            return List.of();
        }
        return connections.peerOf(connection).map(IdentityHeaders::fields).orElse(List.of());
    }

    private static List<HttpField> fields(ConnectionPeer peer) {
        PeerIdentity identity = peer.identity();
        List<HttpField> fields = new ArrayList<>();
        fields.add(new HttpField(CONNECTION, peer.connectionId()));
        fields.add(new HttpField(LISTENER, peer.listener()));
        add(fields, UID, USER, identity.user());
        add(fields, GID, GROUP, identity.group());
        identity.pid().ifPresent(pid -> fields.add(new HttpField(PID, Integer.toString(pid))));
        return List.copyOf(fields);
    }

    /** The id, and the name when the system has one that can go in a header as it is. */
    private static void add(List<HttpField> fields, String idHeader, String nameHeader, Principal principal) {
        if (principal.id() != null) {
            fields.add(new HttpField(idHeader, principal.id().toString()));
        }
        if (principal.name() != null && principal.name().chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            fields.add(new HttpField(nameHeader, principal.name()));
        }
    }
}
