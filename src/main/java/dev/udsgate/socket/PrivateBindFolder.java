package dev.udsgate.socket;

import dev.udsgate.socket.SocketFile.FileIdentity;
import dev.udsgate.system.ProcessUser;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Map;

/**
 * A folder only udsgate's user can enter (0700), made next to the socket path, on the same
 * filesystem. The socket is bound in here, where the umask's wide default mode cannot be used by
 * anyone, given its final mode and group, and only then linked to its public path.
 *
 * <p>The folder it is made in has passed {@link SocketFolder}: no other user may rename this
 * folder or anything in it. Each step still checks, without following links, that what it is about
 * to act on is the folder made here and the socket bound in it, so that a mistake in that rule
 * fails a start rather than touching another file.
 */
final class PrivateBindFolder {

    /** Short, yet says whose it is where {@code ss -xl} shows the bound name. */
    private static final String PREFIX = ".udsgate-";

    private static final String SOCKET_NAME = "s";
    private static final int ATTEMPTS = 16;
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path folder;
    private final FileIdentity identity;

    private PrivateBindFolder(Path folder, FileIdentity identity) {
        this.folder = folder;
        this.identity = identity;
    }

    static PrivateBindFolder createNextTo(Path socketPath) throws IOException {
        Path parent = socketPath.getParent();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Path candidate = parent.resolve(PREFIX + randomSuffix());
            try {
                Files.createDirectory(
                        candidate, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                return new PrivateBindFolder(candidate, FileIdentity.of(candidate));
            } catch (FileAlreadyExistsException e) {
                // another name, then (another user may have made this one)
            }
        }
        throw new IOException("could not find a free name for a private folder in " + parent);
    }

    /** Where to bind: inside the private folder. */
    Path socketPath() {
        return folder.resolve(SOCKET_NAME);
    }

    /**
     * Checks that the folder is still the one made here, and that a socket of udsgate's user is
     * bound in it.
     *
     * @return the bound socket's identity, to check the published file against
     */
    FileIdentity verifyBound() throws IOException {
        checkIsOurs(folder, FileKind.DIRECTORY);
        if (!identity.equals(FileIdentity.of(folder))) {
            throw new IOException("private folder " + folder + " was replaced");
        }
        checkIsOurs(socketPath(), FileKind.SOCKET);
        return FileIdentity.of(socketPath());
    }

    /** Removes the temporary socket name and the folder; both are ours alone. */
    void remove() throws IOException {
        Files.deleteIfExists(socketPath());
        Files.deleteIfExists(folder);
    }

    private static void checkIsOurs(Path path, FileKind kind) throws IOException {
        Map<String, Object> unix = Files.readAttributes(path, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
        if (FileKind.ofMode((Integer) unix.get("mode")) != kind) {
            throw new IOException(path + " is no longer " + kind.description + " of udsgate's");
        }
        if ((Integer) unix.get("uid") != ProcessUser.effectiveUid()) {
            throw new IOException(path + " belongs to uid " + unix.get("uid") + ", not to udsgate's user");
        }
    }

    private static String randomSuffix() {
        char[] suffix = new char[6];
        for (int i = 0; i < suffix.length; i++) {
            suffix[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(suffix);
    }
}
