package dev.udsgate.peer;

import dev.udsgate.peer.PeerIdentity.PidGuard;
import dev.udsgate.system.UserDirectory;
import java.io.IOException;
import java.util.Optional;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The JDK's {@code SO_PEERCRED}, where native access is not to be had: user and group by name
 * (resolved through NSS on every call, about 12 µs), numbered from {@code /etc/passwd} and
 * {@code /etc/group}; the pid, which the JDK drops, is unknown.
 */
final class JdkPeerReader implements PeerReader {

    private static final Kind KIND = new Kind("jdk", false, false);

    private final UserDirectory directory;

    JdkPeerReader(UserDirectory directory) {
        this.directory = directory;
    }

    @Override
    public boolean mayBlock() {
        return true;
    }

    @Override
    public Kind kind() {
        return KIND;
    }

    @Override
    public Optional<PeerIdentity> read(PeerSocket socket) {
        try {
            UnixDomainPrincipal principal = socket.getChannel().getOption(ExtendedSocketOptions.SO_PEERCRED);
            return Optional.of(new PeerIdentity(
                    directory.user(principal.user().getName()),
                    directory.group(principal.group().getName()),
                    0,
                    new PidGuard.NotRead(),
                    null,
                    directory));
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }
}
