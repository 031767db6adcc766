package dev.udsgate.socket;

import dev.udsgate.system.ProcessUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * The folder a socket is created in, checked to be out of other users' reach, with every folder
 * above it: each is owned by root or by udsgate's own user, and no one else may write to it unless
 * it is sticky (as {@code /tmp} is: others may add names of their own there, but never rename or
 * remove ours).
 *
 * <p>Why: starting a listener creates, chmods, links and removes names in this folder. Whoever may
 * rename entries in it, or in any folder above it, can swap udsgate's private folder or its socket
 * for objects of their own between two of those steps, and make a privileged udsgate change the
 * mode of, or publish, a file of their choosing. OpenSSH's {@code StrictModes} checks the same
 * chain for the same reason. The check is made on the folder's real path, and the socket is then
 * created through that path, so a symbolic link on the way cannot be re-pointed afterwards.
 */
final class SocketFolder {

    private static final int GROUP_OR_OTHERS_WRITE = 0022;
    private static final int STICKY = 01000;

    private SocketFolder() {}

    /**
     * Fails, naming the folder and what to do, unless every folder from the root down to the
     * socket's is safe.
     *
     * @return the socket path through the folder's real path
     */
    static Path check(Path socketPath) {
        Path folder;
        try {
            folder = socketPath.getParent().toRealPath();
        } catch (IOException e) {
            throw new ListenerStartException("cannot create socket " + socketPath + ": " + UnixListener.reason(e), e);
        }
        for (Path step = folder; step != null; step = step.getParent()) {
            checkOne(socketPath, step);
        }
        return folder.resolve(socketPath.getFileName());
    }

    private static void checkOne(Path socketPath, Path folder) {
        int owner;
        int mode;
        try {
            Map<String, Object> unix = Files.readAttributes(folder, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
            owner = (Integer) unix.get("uid");
            mode = (Integer) unix.get("mode");
        } catch (IOException e) {
            throw new ListenerStartException(
                    "cannot create socket " + socketPath + ": cannot inspect folder " + folder + ": "
                            + UnixListener.reason(e),
                    e);
        }
        if (owner != ProcessUser.ROOT_UID && owner != ProcessUser.effectiveUid()) {
            throw new ListenerStartException(String.format(
                    "cannot create socket %s: folder %s belongs to uid %d, neither root nor the user udsgate runs"
                            + " as (uid %d), and its owner could swap what udsgate creates in it;"
                            + " choose a --socket in a folder owned by root or by uid %d",
                    socketPath, folder, owner, ProcessUser.effectiveUid(), ProcessUser.effectiveUid()));
        }
        if ((mode & GROUP_OR_OTHERS_WRITE) != 0 && (mode & STICKY) == 0) {
            throw new ListenerStartException(String.format(
                    "cannot create socket %s: folder %s may be written by other users (mode %s) and is not"
                            + " sticky, so they could swap what udsgate creates in it; take their write"
                            + " permission away (chmod go-w %s), make it sticky (chmod +t %s), or choose"
                            + " another --socket",
                    socketPath, folder, String.format("%04o", mode & 07777), folder, folder));
        }
    }
}
