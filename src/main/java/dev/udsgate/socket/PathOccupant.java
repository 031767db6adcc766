package dev.udsgate.socket;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/** What is found at a socket path before udsgate binds there. */
public enum PathOccupant {
    /** Nothing: the path is free. */
    NOTHING,
    /** A socket on which a connect succeeds: another server is listening. */
    LIVE_SOCKET,
    /** A socket on which a connect is refused: left behind by a process that died. */
    STALE_SOCKET,
    /** A socket udsgate may not connect to, so cannot tell live from stale. */
    UNREACHABLE_SOCKET,
    /** A regular file, a folder, a link or a device: never udsgate's to touch. */
    NOT_A_SOCKET;

    /** Looks at {@code path} without following links, and probes a socket with a connect. */
    public static PathOccupant at(Path path) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return NOTHING;
        } catch (IOException e) {
            return NOT_A_SOCKET;
        }
        if (!FileKind.of(path).equals(FileKind.SOCKET) || attributes.isSymbolicLink()) {
            return NOT_A_SOCKET;
        }
        return probe(path);
    }

    private static PathOccupant probe(Path path) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            // Non-blocking: a live server with a full backlog must not hang our start.
            channel.configureBlocking(false);
            channel.connect(UnixDomainSocketAddress.of(path));
            return LIVE_SOCKET;
        } catch (ConnectException e) {
            return "Connection refused".equals(e.getMessage()) ? STALE_SOCKET : UNREACHABLE_SOCKET;
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage());
            // EAGAIN: the server's accept queue is full, so it is alive.
            return message.contains("temporarily unavailable") ? LIVE_SOCKET : UNREACHABLE_SOCKET;
        }
    }

    /** Says what was found, for an error message. */
    public String describe(Path path) {
        return switch (this) {
            case NOTHING -> "nothing at " + path;
            case LIVE_SOCKET -> "another server is listening on " + path + " (a connect succeeded)";
            case STALE_SOCKET -> "a stale socket at " + path + " (a connect was refused)";
            case UNREACHABLE_SOCKET -> "a socket at " + path + " that this user may not connect to";
            case NOT_A_SOCKET -> path + " exists and is " + FileKind.of(path).description + ", not a socket";
        };
    }
}
