package dev.udsgate.peer;

import dev.udsgate.peer.PeerIdentity.PidGuard;
import dev.udsgate.system.UserDirectory;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * {@code getsockopt(SO_PEERCRED)} on the connection's own descriptor: pid, uid and gid in one
 * call, no name lookup. Where the kernel has {@code SO_PEERPIDFD} (Linux 6.5+), the pid is told
 * from its reuse through a pidfd asked of the socket only when the process is read: an accept
 * costs one system call, and no descriptor is held for a connection whose process nobody asks
 * about. Without it, the start time is read from {@code /proc} at accept.
 *
 * <p>The JDK does not expose a channel's descriptor: it is read from {@code SocketChannelImpl},
 * which {@code java.base} opens to udsgate through the jar's {@code Add-Opens} manifest entry.
 */
final class NativePeerReader implements PeerReader {

    private static final int UCRED_BYTES = 12;
    private static final int INT_BYTES = 4;

    private final boolean pidfd;
    private final UserDirectory directory;
    private final ProcessTable processes;

    private NativePeerReader(boolean pidfd, UserDirectory directory, ProcessTable processes) {
        this.pidfd = pidfd;
        this.directory = directory;
        this.processes = processes;
    }

    static NativePeerReader create(UserDirectory directory, ProcessTable processes) throws NativeUnavailable {
        // The descriptor first: without it, native code is not even loaded.
        if (ChannelDescriptor.OF == null) {
            throw new NativeUnavailable(
                    "java.base/sun.nio.ch is not opened to udsgate (--add-opens java.base/sun.nio.ch=ALL-UNNAMED)",
                    ChannelDescriptor.FAILURE);
        }
        try {
            LibC.load();
        } catch (LinkageError e) {
            throw new NativeUnavailable("no native access: " + e.getMessage(), e);
        }
        return new NativePeerReader(selfTest(), directory, processes);
    }

    @Override
    public boolean mayBlock() {
        return false;
    }

    @Override
    public Kind kind() {
        return new Kind("native", true, pidfd);
    }

    @Override
    public Optional<PeerIdentity> read(PeerSocket socket) {
        int fd;
        try {
            fd = (int) ChannelDescriptor.OF.invokeExact(socket.getChannel());
        } catch (Throwable e) {
            return Optional.empty();
        }
        SocketOptionBuffer ucred = SocketOptionBuffer.ofThisThread();
        OptionalInt rc = socket.whileOpen(() -> ucred.get(fd, LibC.SO_PEERCRED, UCRED_BYTES));
        if (rc.isEmpty() || rc.getAsInt() != 0) {
            return Optional.empty();
        }
        int pid = ucred.intAt(0);
        return Optional.of(new PeerIdentity(
                directory.userById(Integer.toUnsignedLong(ucred.intAt(1))),
                directory.groupById(Integer.toUnsignedLong(ucred.intAt(2))),
                pid,
                guard(socket, fd, pid),
                processes,
                directory));
    }

    private PidGuard guard(PeerSocket socket, int fd, int pid) {
        if (pid <= 0) {
            return PidGuard.NONE;
        }
        if (pidfd) {
            return new PidGuard.FromSocket(new SocketPidfd(socket, fd));
        }
        // No pidfd to be had: the start time, read now, names the process.
        OptionalLong ticks = processes.startTicks(pid);
        return ticks.isPresent() ? new PidGuard.StartedAt(ticks.getAsLong()) : PidGuard.NONE;
    }

    /**
     * {@code SO_PEERPIDFD} on the connection's socket, asked when the process is first read. The
     * kernel keeps the connecting process's pid with the socket from {@code connect()} on, and
     * gives a pidfd for that very process whoever holds its number now. Once it has exited, older
     * kernels give none and newer ones (6.18 here) one whose pid reads -1: stale, either way.
     */
    private record SocketPidfd(PeerSocket socket, int fd) implements PidGuard.PidfdSource {
        @Override
        public OptionalInt open() {
            SocketOptionBuffer value = SocketOptionBuffer.ofThisThread();
            OptionalInt got =
                    socket.whileOpen(() -> value.get(fd, LibC.SO_PEERPIDFD, INT_BYTES) == 0 ? value.intAt(0) : -1);
            return got.isPresent() && got.getAsInt() >= 0 ? got : OptionalInt.empty();
        }

        @Override
        public void close(int pidfd) {
            LibC.close(pidfd);
        }
    }

    /**
     * {@code SocketChannelImpl.getFDVal()}, in a static final field: the JIT then inlines the call,
     * where through an instance field every accept took the method handle's generic invoker.
     */
    private static final class ChannelDescriptor {
        /** Null where {@code java.base} keeps it closed; {@code FAILURE} says why. */
        static final MethodHandle OF;

        static final Exception FAILURE;

        static {
            MethodHandle found = null;
            Exception failure = null;
            try {
                Class<?> impl = Class.forName("sun.nio.ch.SocketChannelImpl");
                MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(impl, MethodHandles.lookup());
                found = lookup.findVirtual(impl, "getFDVal", MethodType.methodType(int.class))
                        .asType(MethodType.methodType(int.class, SocketChannel.class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                failure = e;
            }
            OF = found;
            FAILURE = failure;
        }
    }

    /**
     * Connects to itself once: the reader must see this process's own pid, and tells whether the
     * kernel gives pidfds.
     */
    private static boolean selfTest() throws NativeUnavailable {
        Path folder = null;
        try {
            folder = Files.createTempDirectory("udsgate-peer");
            Path path = folder.resolve("s");
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(path));
                try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path));
                        SocketChannel accepted = server.accept()) {
                    int fd = (int) ChannelDescriptor.OF.invokeExact(accepted);
                    SocketOptionBuffer buffer = SocketOptionBuffer.ofThisThread();
                    if (buffer.get(fd, LibC.SO_PEERCRED, UCRED_BYTES) != 0
                            || buffer.intAt(0) != ProcessHandle.current().pid()) {
                        throw new NativeUnavailable("getsockopt(SO_PEERCRED) did not give this process's pid", null);
                    }
                    if (buffer.get(fd, LibC.SO_PEERPIDFD, INT_BYTES) != 0) {
                        return false;
                    }
                    LibC.close(buffer.intAt(0));
                    return true;
                }
            }
        } catch (NativeUnavailable e) {
            throw e;
        } catch (Throwable e) {
            throw new NativeUnavailable("native getsockopt failed: " + e, e);
        } finally {
            deleteQuietly(folder);
        }
    }

    private static void deleteQuietly(Path folder) {
        if (folder == null) {
            return;
        }
        try {
            Files.deleteIfExists(folder.resolve("s"));
            Files.deleteIfExists(folder);
        } catch (IOException e) {
            // a temporary folder left behind
        }
    }
}
