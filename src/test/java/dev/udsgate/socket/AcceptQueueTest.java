package dev.udsgate.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AcceptQueueTest {

    @TempDir
    Path dir;

    /** Captured here: a listener with backlog 16 and 17 clients waiting, and sockets of other paths. */
    private static final String PROC_NET_UNIX = """
            Num       RefCount Protocol Flags    Type St Inode Path
            00000000a1de4cc4: 00000003 00000000 00000000 0001 02     0 /tmp/uq.sock
            00000000c725878b: 00000003 00000000 00000000 0001 02     0 /tmp/uq.sock
            000000008b766f7a: 00000002 00000000 00010000 0001 01 173910 /tmp/uq.sock
            000000001982b2ff: 00000003 00000000 00000000 0001 03 173911 /tmp/uq.sock
            000000009f8ca553: 00000003 00000000 00000000 0001 02     0 /tmp/other/uq.sock
            00000000502cb9cc: 00000003 00000000 00000000 0001 02     0 /tmp/uq.sock.old
            00000000c4f3afad: 00000003 00000000 00000000 0001 03 173920
            00000000c4f3afae: 00000003 00000000 00000000 0001 02     0 /tmp/with space/uq.sock
            """;

    @Test
    void countsOnlyTheNotYetAcceptedSocketsOfThatPath() throws Exception {
        assertThat(AcceptQueue.count(new StringReader(PROC_NET_UNIX), "/tmp/uq.sock"))
                .isEqualTo(2);
        assertThat(AcceptQueue.count(new StringReader(PROC_NET_UNIX), "/tmp/with space/uq.sock"))
                .isEqualTo(1);
        assertThat(AcceptQueue.count(new StringReader(PROC_NET_UNIX), "/tmp/none.sock"))
                .isZero();
    }

    @Test
    void clientsNotYetAcceptedAreCountedOnALiveSocket() throws Exception {
        Path path = dir.resolve("q.sock");
        List<SocketChannel> clients = new ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path), 16);
            for (int i = 0; i < 5; i++) {
                clients.add(SocketChannel.open(UnixDomainSocketAddress.of(path)));
            }
            assertThat(AcceptQueue.length(path)).hasValue(5);

            server.accept().close();

            assertThat(AcceptQueue.length(path)).hasValue(4);
        } finally {
            for (SocketChannel client : clients) {
                client.close();
            }
        }
    }
}
