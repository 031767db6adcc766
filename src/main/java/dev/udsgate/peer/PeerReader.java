package dev.udsgate.peer;

import dev.udsgate.system.UserDirectory;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads who is at the other end of an accepted connection, from the kernel. Two ways: a native
 * {@code getsockopt(SO_PEERCRED)} on the connection's descriptor, with the pid (and, on Linux 6.5+,
 * a pidfd that guards against the pid's reuse); or, where native access is not to be had, the JDK's
 * own option, which gives user and group names and no pid.
 */
public sealed interface PeerReader permits NativePeerReader, JdkPeerReader {

    /** The peer of {@code socket}, or empty when the kernel would not say. Called once per accept. */
    Optional<PeerIdentity> read(PeerSocket socket);

    /** Which way is in use, for {@code /v1/info}. */
    Kind kind();

    /**
     * Whether {@link #read} may wait on something other than the kernel: the JDK's resolves names
     * through NSS, which may ask a directory server; the native one makes two system calls.
     */
    boolean mayBlock();

    /** The way this process can read peers: native when it can, else the JDK's (and says why once). */
    static PeerReader best(UserDirectory directory, ProcessTable processes) {
        Logger log = LoggerFactory.getLogger(PeerReader.class);
        try {
            NativePeerReader reader = NativePeerReader.create(directory, processes);
            log.debug(
                    "peer credentials: native SO_PEERCRED (pidfd: {})",
                    reader.kind().pidfd());
            return reader;
        } catch (NativeUnavailable e) {
            log.info(
                    "peer credentials: the JDK's SO_PEERCRED, without the peer's pid ({}); java -jar udsgate.jar"
                            + " reads the pid",
                    e.getMessage());
            return new JdkPeerReader(directory);
        }
    }

    /**
     * @param source {@code native} or {@code jdk}
     * @param pid whether peers' pids are read
     * @param pidfd whether a pidfd guards each pid against reuse
     */
    record Kind(String source, boolean pid, boolean pidfd) {}

    /** Native access cannot be had here: the reason, in a few words. */
    final class NativeUnavailable extends Exception {
        private static final long serialVersionUID = 1L;

        NativeUnavailable(String reason, Throwable cause) {
            super(reason, cause);
        }
    }
}
