package dev.udsgate.socket;

import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A listening Unix socket systemd (or another service manager) bound and passed in, adopted by
 * udsgate. Its file is the service manager's: udsgate never binds, chmods, chowns or removes it.
 *
 * @param name its name in {@code LISTEN_FDNAMES} ({@code FileDescriptorName=}), the listener it is for
 * @param fd the descriptor number it came on (3 for the first)
 * @param channel the channel on that descriptor; closing it closes the descriptor, not the socket
 *     (the service manager holds its own)
 * @param path the path the socket is bound at, as {@code getsockname} says
 */
public record InheritedSocket(String name, int fd, ServerSocketChannel channel, Path path) {
    public InheritedSocket {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(path, "path");
    }
}
