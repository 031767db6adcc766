package dev.udsgate.gateway;

import dev.udsgate.config.IdentityForwarding;
import dev.udsgate.connections.ConnectionPeer;
import dev.udsgate.connections.ConnectionRegistry;
import dev.udsgate.peer.PeerIdentity;
import dev.udsgate.peer.ProcessView;
import dev.udsgate.system.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Request;

/**
 * The caller's identity, as the kernel gave it at accept, told to the upstream in headers of
 * udsgate's own namespace ({@code Udsgate-*}): every such header a client sends is dropped
 * ({@link ForwardingRules#dropsFromRequest}), so an upstream behind udsgate can trust them.
 *
 * <p>A route says which it sends ({@link IdentityForwarding}): none, the kernel's (uid, gid, pid:
 * read at accept), or those and the process's (executable, command, supplementary groups,
 * container, pod: read from {@code /proc} once per connection, the first time a route asks). Each
 * set is built once per connection, on its first forwarded request, and kept with the connection:
 * a keep-alive client's later requests only add the same fields again.
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
    static final String PROCESS = "Udsgate-Peer-Process";
    static final String EXE = "Udsgate-Peer-Exe";
    static final String COMMAND = "Udsgate-Peer-Command";
    static final String GROUPS = "Udsgate-Peer-Groups";
    static final String CONTAINER = "Udsgate-Peer-Container";
    static final String CONTAINER_RUNTIME = "Udsgate-Peer-Container-Runtime";
    static final String POD = "Udsgate-Peer-Pod";

    private static final String KERNEL_CACHED = IdentityHeaders.class.getName() + ".kernel";
    private static final String PROCESS_CACHED = IdentityHeaders.class.getName() + ".process";

    private final ConnectionRegistry connections;

    IdentityHeaders(ConnectionRegistry connections) {
        this.connections = connections;
    }

    /** The identity fields a route sends for the connection {@code request} came on; none if it is not known. */
    @SuppressWarnings("unchecked")
    List<HttpField> of(Request request, IdentityForwarding forwarding) {
        if (forwarding == IdentityForwarding.NONE) {
            return List.of();
        }
        String key = forwarding == IdentityForwarding.PROCESS ? PROCESS_CACHED : KERNEL_CACHED;
        ConnectionMetaData connection = request.getConnectionMetaData();
        Object cached = connection.getAttribute(key);
        if (cached != null) {
            return (List<HttpField>) cached;
        }
        List<HttpField> fields = build(connection.getConnection(), forwarding);
        connection.setAttribute(key, fields);
        return fields;
    }

    /** True if a header is in udsgate's identity namespace. */
    static boolean isOurs(String name) {
        return name.regionMatches(true, 0, PREFIX, 0, PREFIX.length());
    }

    private List<HttpField> build(Connection connection, IdentityForwarding forwarding) {
        return connections
                .peerOf(connection)
                .map(peer -> forwarding == IdentityForwarding.PROCESS ? withProcess(peer) : kernel(peer))
                .orElse(List.of());
    }

    /** The kernel's, then what {@code /proc} says of the process; a process not known says only why. */
    private static List<HttpField> withProcess(ConnectionPeer peer) {
        List<HttpField> fields = new ArrayList<>(kernel(peer));
        ProcessView process = peer.identity().process();
        fields.add(new HttpField(PROCESS, process.status()));
        addIfSafe(fields, EXE, process.exe());
        addIfSafe(fields, COMMAND, process.command());
        if (process.groups() != null) {
            fields.add(new HttpField(
                    GROUPS,
                    process.groups().stream()
                            .map(group -> String.valueOf(group.id()))
                            .collect(Collectors.joining(","))));
        }
        ProcessView.ContainerView container = process.container();
        if (container != null) {
            addIfSafe(fields, CONTAINER, container.id());
            addIfSafe(fields, CONTAINER_RUNTIME, container.runtime());
            addIfSafe(fields, POD, container.podUid());
        }
        return List.copyOf(fields);
    }

    private static List<HttpField> kernel(ConnectionPeer peer) {
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
        addIfSafe(fields, nameHeader, principal.name());
    }

    /**
     * A value that can go in a header as it is: printable ASCII without spaces. Anything else (a
     * command name with a space, an executable path in UTF-8) is left out rather than re-encoded,
     * so that an upstream never has to guess how to read one.
     */
    private static void addIfSafe(List<HttpField> fields, String name, String value) {
        if (value != null && !value.isEmpty() && value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            fields.add(new HttpField(name, value));
        }
    }
}
