package dev.udsgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Sockets other than udsgate's, to put in its way. */
public final class SocketFixtures {

    private SocketFixtures() {}

    /** A socket file whose server has gone, as {@code kill -9} leaves it: the JDK does not unlink on close. */
    public static void staleSocketAt(Path path) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        server.close();
    }

    /** Another program's live server socket. */
    public static ServerSocketChannel liveSocketAt(Path path) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        return server;
    }

    public static boolean connects(Path path) {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return client.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    public static boolean isSocket(Path path) {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & 0170000) == 0140000;
        } catch (IOException e) {
            return false;
        }
    }

    public static long inode(Path path) {
        try {
            return (Long) Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String permissions(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    public static boolean isRoot() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** A folder anyone may pass through, so that only the socket's own mode decides who connects. */
    public static Path traversableFolder(Path parent) throws IOException {
        Path folder = parent.resolve("open");
        Files.createDirectories(folder);
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));
        return folder;
    }
}
