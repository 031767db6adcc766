package dev.udsgate.socket;

import dev.udsgate.config.FileMode;
import dev.udsgate.system.Principal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Map;
import java.util.Optional;

/**
 * A socket file udsgate put in place, known by its device and inode. Whatever is at the path later
 * is ours only if it is still that inode: a file another server has since put there is left alone.
 */
public final class SocketFile {

    private final Path path;
    private final FileIdentity identity;

    private SocketFile(Path path, FileIdentity identity) {
        this.path = path;
        this.identity = identity;
    }

    /** Remembers the file now at {@code path} as ours. */
    static SocketFile claim(Path path) throws IOException {
        return new SocketFile(path, FileIdentity.of(path));
    }

    public Path path() {
        return path;
    }

    public long inode() {
        return identity.inode();
    }

    FileIdentity identity() {
        return identity;
    }

    /** True while the file at the path is the one udsgate bound. */
    public boolean isOurs() {
        try {
            return identity.equals(FileIdentity.of(path));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Removes the file if it is still ours.
     *
     * @return true if removed; false if it was gone or is another's now
     */
    public boolean removeIfOurs() throws IOException {
        if (!isOurs()) {
            return false;
        }
        return Files.deleteIfExists(path);
    }

    /** The file as the filesystem shows it now, read afresh; empty if nothing is at the path. */
    public Optional<SocketFileStatus> status() {
        return SocketFileStatus.read(path, identity);
    }

    /** The device and inode that name a file whatever its path. */
    record FileIdentity(long device, long inode) {
        static FileIdentity of(Path path) throws IOException {
            Map<String, Object> unix = Files.readAttributes(path, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
            return new FileIdentity((Long) unix.get("dev"), (Long) unix.get("ino"));
        }
    }

    /**
     * What {@code stat} says about the socket file right now.
     *
     * @param ours whether the file is still the inode udsgate bound (false once replaced)
     */
    public record SocketFileStatus(
            String kind,
            FileMode mode,
            String permissions,
            Principal owner,
            Principal group,
            long inode,
            boolean ours) {

        static Optional<SocketFileStatus> read(Path path, FileIdentity identity) {
            try {
                Map<String, Object> unix =
                        Files.readAttributes(path, "unix:mode,ino,dev,uid,gid", LinkOption.NOFOLLOW_LINKS);
                PosixFileAttributes posix =
                        Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                int stMode = (Integer) unix.get("mode");
                FileKind kind = FileKind.ofMode(stMode);
                FileMode mode = new FileMode(stMode & 0777);
                long inode = (Long) unix.get("ino");
                boolean ours = identity.equals(new FileIdentity((Long) unix.get("dev"), inode));
                return Optional.of(new SocketFileStatus(
                        kind.name().toLowerCase(java.util.Locale.ROOT),
                        mode,
                        kind.letter + mode.symbolic(),
                        Principal.of(posix.owner().getName(), (Integer) unix.get("uid")),
                        Principal.of(posix.group().getName(), (Integer) unix.get("gid")),
                        inode,
                        ours));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
