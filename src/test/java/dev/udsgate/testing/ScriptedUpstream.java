package dev.udsgate.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream that answers with exactly the bytes a test scripts, for what a well-behaved server
 * never does: interim answers, close-delimited bodies, dropping a kept-alive connection.
 */
public final class ScriptedUpstream implements AutoCloseable {

    /** The answer to the {@code request}-th request (from 0) on the {@code connection}-th connection (from 0). */
    public interface Script {
        Reply reply(int connection, int request, String head);
    }

    /**
     * @param parts sent as they are (Latin-1), one after the other; none to send nothing
     * @param gap the pause before each part after the first
     * @param close whether to close the connection afterwards
     */
    public record Reply(List<String> parts, Duration gap, boolean close) {
        public static Reply of(String bytes) {
            return new Reply(List.of(bytes), Duration.ZERO, false);
        }

        public static Reply andClose(String bytes) {
            return new Reply(List.of(bytes), Duration.ZERO, true);
        }

        /** Closes the connection without a word. */
        public static Reply hangUp() {
            return new Reply(List.of(), Duration.ZERO, true);
        }

        /** Sends {@code parts} with a pause of {@code gap} between them. */
        public static Reply slowly(Duration gap, String... parts) {
            return new Reply(List.of(parts), gap, false);
        }
    }

    private final ServerSocketChannel listener;
    private final Script script;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> heads = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();

    private ScriptedUpstream(ServerSocketChannel listener, Script script) {
        this.listener = listener;
        this.script = script;
    }

    public static ScriptedUpstream on(Path socket, Script script) {
        try {
            ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            listener.bind(UnixDomainSocketAddress.of(socket), 1024);
            ScriptedUpstream upstream = new ScriptedUpstream(listener, script);
            Thread acceptor = new Thread(upstream::accept, "scripted-upstream");
            acceptor.setDaemon(true);
            acceptor.start();
            return upstream;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** The request heads received, in order. */
    public List<String> heads() {
        return heads;
    }

    /** The request bodies received (Content-Length or chunked; "" for none), in the order of {@link #heads}. */
    public List<String> bodies() {
        return bodies;
    }

    private void accept() {
        while (listener.isOpen()) {
            try {
                SocketChannel channel = listener.accept();
                int index = connections.getAndIncrement();
                Thread serving = new Thread(() -> serve(channel, index), "scripted-upstream-" + index);
                serving.setDaemon(true);
                serving.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(SocketChannel channel, int connection) {
        try (channel) {
            InputStream in = Channels.newInputStream(channel);
            for (int request = 0; ; request++) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                heads.add(head);
                bodies.add(readBody(in, head));
                Reply reply = script.reply(connection, request, head);
                for (int i = 0; i < reply.parts().size(); i++) {
                    if (i > 0) {
                        Thread.sleep(reply.gap().toMillis());
                    }
                    channel.write(ByteBuffer.wrap(reply.parts().get(i).getBytes(StandardCharsets.ISO_8859_1)));
                }
                if (reply.close()) {
                    return;
                }
            }
        } catch (IOException gone) {
            // the gateway closed the connection
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The body the head announces, read whole: the gateway must have sent it before the answer comes. */
    private static String readBody(InputStream in, String head) throws IOException {
        String lower = head.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("\r\ntransfer-encoding: chunked")) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String size = readLine(in);
                int length;
                try {
                    length = Integer.parseInt(size.split(";")[0].strip(), 16);
                } catch (NumberFormatException cut) {
                    throw new IOException("the body ended early"); // the gateway gave up on it
                }
                if (length == 0) {
                    for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                        // trailers
                    }
                    return body.toString(StandardCharsets.ISO_8859_1);
                }
                body.write(in.readNBytes(length));
                readLine(in);
            }
        }
        int at = lower.indexOf("\r\ncontent-length:");
        if (at < 0) {
            return "";
        }
        int end = lower.indexOf("\r\n", at + 2);
        int length = Integer.parseInt(
                lower.substring(at + "\r\ncontent-length:".length(), end).strip());
        return new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0 && b != '\n'; ) {
            line.write(b);
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        for (int b; (b = in.read()) >= 0; ) {
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
