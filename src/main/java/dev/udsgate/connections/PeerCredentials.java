package dev.udsgate.connections;

import dev.udsgate.socket.ListenerEndPoint;
import dev.udsgate.system.UserDirectory;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SocketChannelEndPoint;

/**
 * Reads a Unix-socket peer's credentials from the kernel. The JDK exposes user and group (by name);
 * the peer's pid, which the kernel has too, is not exposed by the JDK.
 */
final class PeerCredentials {

    private final UserDirectory directory;

    PeerCredentials(UserDirectory directory) {
        this.directory = directory;
    }

    Optional<Peer> of(EndPoint endPoint) {
        // A listener's endpoint has read them already if the connection limits needed them.
        if (endPoint instanceof ListenerEndPoint listenerEndPoint) {
            return listenerEndPoint.peer().map(this::peer);
        }
        if (!(endPoint instanceof SocketChannelEndPoint socketEndPoint)) {
            return Optional.empty();
        }
        SocketChannel channel = socketEndPoint.getChannel();
        try {
            return Optional.of(peer(channel.getOption(ExtendedSocketOptions.SO_PEERCRED)));
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    private Peer peer(UnixDomainPrincipal principal) {
        return new Peer(
                directory.user(principal.user().getName()),
                directory.group(principal.group().getName()));
    }
}
