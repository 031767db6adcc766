package dev.udsgate.socket;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * A folder only udsgate's user can enter (0700), made next to the socket path, on the same
 * filesystem. The socket is bound in here, where the umask's wide default mode cannot be used by
 * anyone, given its final mode and group, and only then linked to its public path.
 */
final class PrivateBindFolder {

    /** Short, yet says whose it is where {@code ss -xl} shows the bound name. */
    private static final String PREFIX = ".udsgate-";

    private static final String SOCKET_NAME = "s";
    private static final int ATTEMPTS = 16;
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path folder;

    private PrivateBindFolder(Path folder) {
        this.folder = folder;
    }

    static PrivateBindFolder createNextTo(Path socketPath) throws IOException {
        Path parent = socketPath.getParent();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Path candidate = parent.resolve(PREFIX + randomSuffix());
            try {
                Files.createDirectory(
                        candidate, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                return new PrivateBindFolder(candidate);
            } catch (FileAlreadyExistsException e) {
                // another name, then
            }
        }
        throw new IOException("could not find a free name for a private folder in " + parent);
    }

    /** Where to bind: inside the private folder. */
    Path socketPath() {
        return folder.resolve(SOCKET_NAME);
    }

    /** Removes the temporary socket name and the folder; both are ours alone. */
    void remove() throws IOException {
        Files.deleteIfExists(socketPath());
        Files.deleteIfExists(folder);
    }

    private static String randomSuffix() {
        char[] suffix = new char[6];
        for (int i = 0; i < suffix.length; i++) {
            suffix[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(suffix);
    }
}
