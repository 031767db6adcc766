package dev.udsgate.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 connection over a Unix socket, byte for byte: for what a test must control
 * exactly (keep-alive, bytes sent, a connection that stays idle, a stream read line by line).
 */
public final class RawHttp implements AutoCloseable {

    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;
    private long bytesSent;

    private RawHttp(SocketChannel channel) {
        this.channel = channel;
        this.in = Channels.newInputStream(channel);
        this.out = Channels.newOutputStream(channel);
    }

    public static RawHttp connect(Path socket) throws IOException {
        return new RawHttp(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
    }

    public static String request(String method, String target, String... headers) {
        StringBuilder text = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
        if (java.util.Arrays.stream(headers).noneMatch(h -> h.regionMatches(true, 0, "Host:", 0, 5))) {
            text.append("Host: localhost\r\n");
        }
        for (String header : headers) {
            text.append(header).append("\r\n");
        }
        return text.append("\r\n").toString();
    }

    public long bytesSent() {
        return bytesSent;
    }

    public void send(String request) throws IOException {
        byte[] bytes = request.getBytes(StandardCharsets.ISO_8859_1);
        out.write(bytes);
        out.flush();
        bytesSent += bytes.length;
    }

    /** Sends a request and reads its whole answer (our API always sends Content-Length). */
    public Answer exchange(String method, String target, String... headers) throws IOException {
        send(request(method, target, headers));
        return readAnswer();
    }

    /** Reads a status line and headers; the body is read as Content-Length says. */
    public Answer readAnswer() throws IOException {
        Head head = readHead();
        int length = Integer.parseInt(head.headers().getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        return new Answer(
                head.status(), head.headers(), new String(body, StandardCharsets.UTF_8), head.size() + length);
    }

    /** Reads the head of a streamed answer; then {@link #readBodyLine()} gives its lines. */
    public Head readHead() throws IOException {
        String statusLine = readLine(in);
        if (statusLine == null) {
            throw new IOException("connection closed before an answer");
        }
        long size = statusLine.length() + 2;
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
            size += line.length() + 2;
            int colon = line.indexOf(':');
            headers.put(
                    line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                    line.substring(colon + 1).strip());
        }
        Head head = new Head(Integer.parseInt(statusLine.split(" ")[1]), headers, size + 2);
        bodyLeft = headers.containsKey("content-length") ? Long.parseLong(headers.get("content-length")) : -1;
        return head;
    }

    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private byte[] chunk = new byte[0];
    private int chunkPosition;
    /** Bytes of a Content-Length body not yet read; -1 for a chunked body. */
    private long bodyLeft = -1;

    /** The next line of the body (chunked, or with a Content-Length), without its newline; null at its end. */
    public String readBodyLine() throws IOException {
        pending.reset();
        while (true) {
            if (chunkPosition == chunk.length && !nextChunk()) {
                return pending.size() == 0 ? null : pending.toString(StandardCharsets.UTF_8);
            }
            byte b = chunk[chunkPosition++];
            if (b == '\n') {
                return pending.toString(StandardCharsets.UTF_8);
            }
            pending.write(b);
        }
    }

    private boolean nextChunk() throws IOException {
        if (bodyLeft >= 0) {
            chunk = in.readNBytes((int) Math.min(bodyLeft, 8192));
            chunkPosition = 0;
            bodyLeft -= chunk.length;
            return chunk.length > 0;
        }
        // The CRLF that ends a chunk's data is read here, before the next size, not after the
        // data: Jetty sends it only with the next chunk, and waiting for it would stall a stream.
        String sizeLine = readLine(in);
        if (sizeLine != null && sizeLine.isEmpty()) {
            sizeLine = readLine(in);
        }
        if (sizeLine == null) {
            return false;
        }
        int size = Integer.parseInt(sizeLine.split(";")[0].strip(), 16);
        if (size == 0) {
            readLine(in);
            return false;
        }
        chunk = in.readNBytes(size);
        chunkPosition = 0;
        return true;
    }

    /** Writes {@code length} bytes of a repeating pattern, as a request body, and returns their sha256. */
    public String sendBody(long length) throws IOException {
        java.security.MessageDigest sha256 = sha256();
        byte[] block = pattern();
        long left = length;
        while (left > 0) {
            int size = (int) Math.min(block.length, left);
            out.write(block, 0, size);
            sha256.update(block, 0, size);
            left -= size;
        }
        out.flush();
        bytesSent += length;
        return java.util.HexFormat.of().formatHex(sha256.digest());
    }

    /** Reads a body of {@code length} bytes without keeping it; returns how many came before the end. */
    public long drainBody(long length) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long read = 0;
        while (read < length) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - read));
            if (n < 0) {
                break;
            }
            read += n;
        }
        return read;
    }

    private static byte[] pattern() {
        byte[] block = new byte[64 * 1024];
        for (int i = 0; i < block.length; i++) {
            block[i] = (byte) (i * 31);
        }
        return block;
    }

    private static java.security.MessageDigest sha256() {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True if the server has closed the connection: a read meets end of stream (or a reset). */
    public boolean isClosedByServer() {
        try {
            return in.read() == -1;
        } catch (IOException reset) {
            return true;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    public record Head(int status, Map<String, String> headers, long size) {}

    /** @param size bytes of the whole answer, head and body */
    public record Answer(int status, Map<String, String> headers, String body, long size) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }
}
