package dev.udsgate.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.udsgate.socket.SocketActivation.Passed;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * systemd's socket activation below the process: what the environment asks for, and what each
 * descriptor passed must be. Descriptors are made with the C library, as systemd makes them.
 */
class SocketActivationTest {

    private static final long PID = 4242;

    @TempDir
    Path dir;

    @Test
    void withoutListenPidNothingIsInherited() {
        assertThat(SocketActivation.passed(Map.of("LISTEN_FDS", "1"), PID)).isEmpty();
    }

    @Test
    void socketsPassedToAnotherProcessAreNotTaken() {
        assertThat(SocketActivation.passed(Map.of("LISTEN_PID", "1", "LISTEN_FDS", "1"), PID))
                .isEmpty();
    }

    @Test
    void oneSocketWithoutANameIsMains() {
        assertThat(SocketActivation.passed(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "1"), PID))
                .containsExactly(new Passed(3, "main"));
    }

    @Test
    void namesGoToDescriptorsFromThreeInOrder() {
        assertThat(SocketActivation.passed(
                        Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "2", "LISTEN_FDNAMES", "main:admin"), PID))
                .containsExactly(new Passed(3, "main"), new Passed(4, "admin"));
    }

    @Test
    void severalSocketsWithoutNamesAreAStartError() {
        assertThatThrownBy(() -> SocketActivation.passed(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "2"), PID))
                .isInstanceOf(ListenerStartException.class)
                .hasMessageContaining("2 sockets (LISTEN_FDS) but no names")
                .hasMessageContaining("FileDescriptorName=");
    }

    @Test
    void asManyNamesAsSocketsAreNeeded() {
        assertThatThrownBy(() -> SocketActivation.passed(
                        Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "2", "LISTEN_FDNAMES", "main"), PID))
                .isInstanceOf(ListenerStartException.class)
                .hasMessage("systemd passed 2 sockets (LISTEN_FDS) but 1 names (LISTEN_FDNAMES=main)");
    }

    @Test
    void twoSocketsOfOneNameAreAStartError() {
        assertThatThrownBy(() -> SocketActivation.passed(
                        Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "2", "LISTEN_FDNAMES", "main:main"), PID))
                .isInstanceOf(ListenerStartException.class)
                .hasMessageContaining("fds 3 and 4 passed by systemd are both named 'main'");
    }

    @Test
    void aListenFdsThatIsNoNumberIsAStartError() {
        assertThatThrownBy(() -> SocketActivation.passed(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "x"), PID))
                .isInstanceOf(ListenerStartException.class)
                .hasMessage("LISTEN_FDS is 'x', not a number of sockets");
    }

    @Test
    void aListeningUnixSocketIsAdoptedAtItsBoundPathAndServes() throws Exception {
        Path path = dir.resolve("activated.sock");
        int fd = RawSockets.unixStream(path, true);

        InheritedSockets sockets = SocketActivation.adopt(List.of(new Passed(fd, "main")));

        InheritedSocket socket = sockets.take("main").orElseThrow();
        assertThat(socket.fd()).isEqualTo(fd);
        assertThat(socket.path()).isEqualTo(path);
        assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)))
                .asString()
                .startsWith("socket:");
        try (ServerSocketChannel server = socket.channel();
                SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path));
                SocketChannel accepted = server.accept()) {
            client.write(ByteBuffer.wrap(new byte[] {42}));
            ByteBuffer read = ByteBuffer.allocate(1);
            accepted.read(read);
            assertThat(read.get(0)).isEqualTo((byte) 42);
        }
        assertThat(path).as("closing the channel leaves systemd's file").exists();
    }

    @Test
    void anAdoptedDescriptorIsClosedOnExec() throws Exception {
        int fd = RawSockets.unixStream(dir.resolve("s"), true);
        try (ServerSocketChannel channel = SocketActivation.adopt(List.of(new Passed(fd, "main")))
                .take("main")
                .orElseThrow()
                .channel()) {
            assertThat(LibC.fcntl(fd, LibC.F_GETFD, 0) & LibC.FD_CLOEXEC).isEqualTo(LibC.FD_CLOEXEC);
        }
    }

    @Test
    void aRegularFileIsNamedInTheError() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-socket"), "x");
        int fd = RawSockets.open(file.toString(), RawSockets.O_RDONLY);
        try {
            assertThatThrownBy(() -> SocketActivation.adopt(List.of(new Passed(fd, "main"))))
                    .isInstanceOf(ListenerStartException.class)
                    .hasMessageStartingWith(
                            "fd " + fd + " passed by systemd is not a socket: it is a regular file (" + file + ")");
        } finally {
            RawSockets.close(fd);
        }
    }

    @Test
    void aSocketThatIsNotListeningIsRefused() {
        int fd = RawSockets.unixStream(dir.resolve("s"), false);
        try {
            assertThatThrownBy(() -> SocketActivation.adopt(List.of(new Passed(fd, "main"))))
                    .isInstanceOf(ListenerStartException.class)
                    .hasMessageContaining("is a Unix stream socket that is not listening");
        } finally {
            RawSockets.close(fd);
        }
    }

    @Test
    void aDatagramSocketIsRefused() {
        int fd = RawSockets.check(RawSockets.socket(RawSockets.AF_UNIX, RawSockets.SOCK_DGRAM, 0), "socket");
        try {
            assertThatThrownBy(() -> SocketActivation.adopt(List.of(new Passed(fd, "main"))))
                    .hasMessageContaining("is a Unix datagram (SOCK_DGRAM) socket, not a stream one");
        } finally {
            RawSockets.close(fd);
        }
    }

    @Test
    void aTcpSocketIsRefused() {
        int fd = RawSockets.check(RawSockets.socket(RawSockets.AF_INET, RawSockets.SOCK_STREAM, 0), "socket");
        try {
            assertThatThrownBy(() -> SocketActivation.adopt(List.of(new Passed(fd, "main"))))
                    .hasMessageContaining("is an IPv4 (AF_INET) socket, not a Unix one");
        } finally {
            RawSockets.close(fd);
        }
    }

    @Test
    void aDescriptorThatIsNotOpenIsSaidToBe() {
        assertThatThrownBy(() -> SocketActivation.adopt(List.of(new Passed(9999, "main"))))
                .hasMessage("fd 9999 passed by systemd is not open");
    }

    @Test
    void aSocketNoListenerTakesIsAStartError() {
        Path path = dir.resolve("admin.sock");
        int fd = RawSockets.unixStream(path, true);
        InheritedSockets sockets = SocketActivation.adopt(List.of(new Passed(fd, "admin")));

        assertThat(sockets.take("main")).isEmpty();
        assertThatThrownBy(() -> sockets.requireAllTaken(List.of("main")))
                .isInstanceOf(ListenerStartException.class)
                .hasMessage("fd " + fd + " (" + path + ") is named 'admin' in LISTEN_FDNAMES, but no listener has that"
                        + " name (listeners: main); set FileDescriptorName= in the .socket unit to a listener's name");
    }
}
