package dev.udsgate.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * An upstream that switches protocols as Docker's {@code attach} does: it reads one request head,
 * answers with what the test scripts for it, and, if that was a {@code 101}, echoes every byte it
 * gets until its client half-closes, then sends a farewell and closes.
 */
public final class TunnelUpstream implements AutoCloseable {

    /** What Docker answers to {@code attach}: the tunnel's first bytes follow in the same write. */
    public static final String SWITCH = "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
            + "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n";

    private final ServerSocketChannel listener;
    private final Function<String, String> answer;
    private final String farewell;
    private final List<String> heads = new CopyOnWriteArrayList<>();

    private TunnelUpstream(ServerSocketChannel listener, Function<String, String> answer, String farewell) {
        this.listener = listener;
        this.answer = answer;
        this.farewell = farewell;
    }

    /**
     * @param answer from the request head to the bytes sent back (Latin-1); a tunnel if they begin
     *     with a {@code 101}, else the connection closes after them
     * @param farewell sent when the client's half of the tunnel has ended
     */
    public static TunnelUpstream on(Path socket, Function<String, String> answer, String farewell) {
        try {
            ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            listener.bind(UnixDomainSocketAddress.of(socket));
            TunnelUpstream upstream = new TunnelUpstream(listener, answer, farewell);
            Thread acceptor = new Thread(upstream::accept, "tunnel-upstream");
            acceptor.setDaemon(true);
            acceptor.start();
            return upstream;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The request heads received, in order. */
    public List<String> heads() {
        return heads;
    }

    private void accept() {
        while (listener.isOpen()) {
            try {
                SocketChannel channel = listener.accept();
                Thread serving = new Thread(() -> serve(channel), "tunnel-upstream-conn");
                serving.setDaemon(true);
                serving.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(SocketChannel channel) {
        try (channel) {
            String head = readHead(channel);
            if (head == null) {
                return;
            }
            heads.add(head);
            String reply = answer.apply(head);
            writeAll(channel, ByteBuffer.wrap(reply.getBytes(StandardCharsets.ISO_8859_1)));
            if (!reply.startsWith("HTTP/1.1 101")) {
                return;
            }
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            while (channel.read(buffer) >= 0) {
                writeAll(channel, buffer.flip());
                buffer.clear();
            }
            writeAll(channel, ByteBuffer.wrap(farewell.getBytes(StandardCharsets.ISO_8859_1)));
        } catch (IOException gone) {
            // the gateway closed the connection
        }
    }

    private static void writeAll(SocketChannel channel, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /** Reads byte by byte up to the blank line, so that nothing of the tunnel is read with it. */
    private static String readHead(SocketChannel channel) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        ByteBuffer one = ByteBuffer.allocate(1);
        int matched = 0;
        while (channel.read(one.clear()) > 0) {
            byte b = one.get(0);
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
