package dev.udsgate.socket;

import com.sun.jna.LastErrorException;
import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A descriptor number the process was started with, checked to be a listening Unix stream socket
 * and turned into a {@link ServerSocketChannel} the JDK's selectors, and so Jetty, can serve.
 *
 * <p>The JDK makes a channel of an inherited descriptor only for fd 0 ({@code
 * System.inheritedChannel()}), through {@code sun.nio.ch.InheritedChannel}, which builds a {@code
 * ServerSocketChannelImpl} with its package-private constructor {@code (SelectorProvider,
 * ProtocolFamily, FileDescriptor, boolean bound)} on a {@code FileDescriptor} from the public
 * {@code IOUtil.newFD(int)}. udsgate makes the same two calls for any descriptor: both exist with
 * these signatures in JDK 17 and 25, and reaching them needs only the {@code sun.nio.ch} package
 * the jar's manifest already opens (for the peer reader). {@code bound = true} has the channel read
 * its local address from the kernel ({@code getsockname}), which is the path it shows. Moving the
 * descriptor to fd 0 with {@code dup2} instead would take stdin, serve a single socket, and have
 * the JDK's inherited channel point fds 0, 1 and 2 at {@code /dev/null} when it is closed.
 */
final class InheritedDescriptor {

    private static final Map<Integer, String> FAMILIES = Map.of(
            2, "an IPv4 (AF_INET)", 10, "an IPv6 (AF_INET6)", 16, "a netlink (AF_NETLINK)", 40, "a vsock (AF_VSOCK)");
    private static final Map<Integer, String> TYPES =
            Map.of(2, "datagram (SOCK_DGRAM)", 3, "raw (SOCK_RAW)", 5, "seqpacket (SOCK_SEQPACKET)");

    private InheritedDescriptor() {}

    /**
     * Fails, naming the descriptor and what it is, unless it is an open, listening Unix stream
     * socket; then marks it close-on-exec, so that no child process inherits it.
     */
    static void check(int fd) {
        try {
            LibC.load();
        } catch (LinkageError e) {
            throw new ListenerStartException(
                    "cannot check fd " + fd + " passed by systemd: no native access (" + e.getMessage()
                            + "); run udsgate with --enable-native-access=ALL-UNNAMED, as java -jar does",
                    e);
        }
        int flags = descriptorFlags(fd);
        int domain = socketOption(fd, LibC.SO_DOMAIN);
        if (domain != LibC.AF_UNIX) {
            throw notUsable(fd, FAMILIES.getOrDefault(domain, "a family " + domain) + " socket, not a Unix one");
        }
        int type = socketOption(fd, LibC.SO_TYPE);
        if (type != LibC.SOCK_STREAM) {
            throw notUsable(fd, "a Unix " + TYPES.getOrDefault(type, "type " + type) + " socket, not a stream one");
        }
        if (socketOption(fd, LibC.SO_ACCEPTCONN) == 0) {
            throw notUsable(fd, "a Unix stream socket that is not listening (a connection, or never listen()ed)");
        }
        if ((flags & LibC.FD_CLOEXEC) == 0) {
            try {
                LibC.fcntl(fd, LibC.F_SETFD, flags | LibC.FD_CLOEXEC);
            } catch (LastErrorException e) {
                throw notUsable(fd, "a socket udsgate cannot mark close-on-exec (errno " + e.getErrorCode() + ")");
            }
        }
    }

    /** A channel on {@code fd}, which {@link #check} has passed; closing the channel closes the descriptor. */
    static ServerSocketChannel channel(int fd) {
        JdkCalls jdk = JdkCalls.lookUp(fd);
        try {
            FileDescriptor descriptor = (FileDescriptor) jdk.newFd().invokeExact(fd);
            return (ServerSocketChannel) jdk.serverChannel()
                    .invoke(
                            SelectorProvider.provider(),
                            (ProtocolFamily) StandardProtocolFamily.UNIX,
                            descriptor,
                            true);
        } catch (IOException e) {
            throw new ListenerStartException("cannot use fd " + fd + " passed by systemd: " + e.getMessage(), e);
        } catch (Throwable e) {
            throw new ListenerStartException("cannot make a channel of fd " + fd + " passed by systemd: " + e, e);
        }
    }

    private static int descriptorFlags(int fd) {
        try {
            return LibC.fcntl(fd, LibC.F_GETFD, 0);
        } catch (LastErrorException e) {
            throw e.getErrorCode() == LibC.EBADF
                    ? new ListenerStartException("fd " + fd + " passed by systemd is not open")
                    : notUsable(fd, "a descriptor fcntl cannot read (errno " + e.getErrorCode() + ")");
        }
    }

    private static int socketOption(int fd, int option) {
        int[] value = new int[1];
        try {
            LibC.getsockopt(fd, LibC.SOL_SOCKET, option, value, new int[] {Integer.BYTES});
            return value[0];
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.ENOTSOCK) {
                throw notUsable(fd, "not a socket: it is " + describeNonSocket(fd));
            }
            throw notUsable(fd, "a socket getsockopt cannot read (errno " + e.getErrorCode() + ")");
        }
    }

    /** What {@code /proc/self/fd} says the descriptor leads to: a file's path and kind, or {@code pipe:[…]}. */
    static String describeNonSocket(int fd) {
        Path link = Path.of("/proc/self/fd", Integer.toString(fd));
        try {
            Path target = Files.readSymbolicLink(link);
            if (!target.isAbsolute()) {
                return target.toString(); // pipe:[1234], anon_inode:[eventfd], …
            }
            // Followed, the link leads to the open file itself, even one since removed.
            int mode = (Integer) Files.getAttribute(link, "unix:mode");
            return FileKind.ofMode(mode).description + " (" + target + ")";
        } catch (IOException | RuntimeException e) {
            return "something /proc/self/fd cannot show";
        }
    }

    private static ListenerStartException notUsable(int fd, String what) {
        return new ListenerStartException("fd " + fd + " passed by systemd is " + what
                + "; udsgate serves only listening Unix stream sockets" + " (ListenStream=/path in the .socket unit)");
    }

    /** The two JDK-internal calls: where they are not to be had, a start error that says why. */
    private record JdkCalls(MethodHandle newFd, MethodHandle serverChannel) {
        static JdkCalls lookUp(int fd) {
            try {
                Class<?> ioUtil = Class.forName("sun.nio.ch.IOUtil");
                Class<?> impl = Class.forName("sun.nio.ch.ServerSocketChannelImpl");
                return new JdkCalls(
                        MethodHandles.privateLookupIn(ioUtil, MethodHandles.lookup())
                                .findStatic(ioUtil, "newFD", MethodType.methodType(FileDescriptor.class, int.class)),
                        MethodHandles.privateLookupIn(impl, MethodHandles.lookup())
                                .findConstructor(
                                        impl,
                                        MethodType.methodType(
                                                void.class,
                                                SelectorProvider.class,
                                                ProtocolFamily.class,
                                                FileDescriptor.class,
                                                boolean.class)));
            } catch (IllegalAccessException | RuntimeException e) {
                throw new ListenerStartException(
                        "cannot use fd " + fd + " passed by systemd: java.base/sun.nio.ch is not opened to udsgate"
                                + " (--add-opens java.base/sun.nio.ch=ALL-UNNAMED, as the jar's manifest does)",
                        e);
            } catch (ReflectiveOperationException e) {
                throw new ListenerStartException(
                        "cannot use fd " + fd + " passed by systemd: this JDK has no " + e.getMessage()
                                + " (udsgate makes its channel as JDK 17 to 25 make System.inheritedChannel())",
                        e);
            }
        }
    }
}
