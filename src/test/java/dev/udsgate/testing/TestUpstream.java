package dev.udsgate.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * An upstream service for gateway tests: plain Jetty on a Unix socket or on loopback TCP, with
 * answers a test can steer.
 *
 * <ul>
 *   <li>{@code /slow?ms=N}: answers after N ms (prints "slow request started")
 *   <li>{@code /echo...}: JSON of what arrived: name, method, path, query, headers
 *   <li>{@code /health}: 200, or 503 after {@link #setHealthy(boolean) setHealthy(false)}
 *   <li>{@code /bytes?n=N}: streams N bytes, generated, never held whole
 *   <li>{@code /upload}: reads the body as it streams; answers its length and sha256
 *   <li>{@code /die?after=N}: sends headers and N bytes of a longer body, then closes the connection
 * </ul>
 */
public final class TestUpstream implements AutoCloseable {

    private final Server server;
    private final String name;
    private final AtomicLong requests = new AtomicLong();
    private volatile boolean healthy = true;

    private TestUpstream(String name) {
        this.name = name;
        this.server = new Server();
        server.setHandler(new Answers());
    }

    public static TestUpstream onUnixSocket(String name, Path socket) {
        TestUpstream upstream = new TestUpstream(name);
        UnixDomainServerConnector connector = new UnixDomainServerConnector(upstream.server);
        connector.setUnixDomainPath(socket);
        upstream.server.addConnector(connector);
        upstream.start();
        return upstream;
    }

    public static TestUpstream onLoopback(String name) {
        TestUpstream upstream = new TestUpstream(name);
        ServerConnector connector = new ServerConnector(upstream.server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        upstream.server.addConnector(connector);
        upstream.start();
        return upstream;
    }

    private void start() {
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    public long requests() {
        return requests.get();
    }

    public void setHealthy(boolean healthy) {
        this.healthy = healthy;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private final class Answers extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            requests.incrementAndGet();
            String path = Request.getPathInContext(request);
            Fields query = Request.extractQueryParameters(request);
            if (path.equals("/health")) {
                response.setStatus(healthy ? 200 : 503);
                Content.Sink.write(response, true, healthy ? "up" : "down", callback);
            } else if (path.startsWith("/slow")) {
                long millis = Long.parseLong(value(query, "ms", "1000"));
                System.out.println("slow request started");
                System.out.flush();
                request.getComponents()
                        .getScheduler()
                        .schedule(
                                () -> Content.Sink.write(response, true, "waited " + millis + " ms", callback),
                                millis,
                                TimeUnit.MILLISECONDS);
            } else if (path.startsWith("/bytes")) {
                streamBytes(response, callback, Long.parseLong(value(query, "n", "0")));
            } else if (path.startsWith("/upload")) {
                upload(request, response, callback);
            } else if (path.startsWith("/die")) {
                die(request, response, callback, Integer.parseInt(value(query, "after", "100")));
            } else {
                echo(request, response, callback, path);
            }
            return true;
        }

        private void echo(Request request, Response response, Callback callback, String path) {
            StringBuilder json = new StringBuilder("{\"upstream\":\"")
                    .append(name)
                    .append("\",\"method\":\"")
                    .append(request.getMethod())
                    .append("\",\"path\":\"")
                    .append(path)
                    .append("\",\"query\":\"")
                    .append(
                            request.getHttpURI().getQuery() == null
                                    ? ""
                                    : request.getHttpURI().getQuery())
                    .append("\",\"headers\":{");
            String separator = "";
            for (var field : request.getHeaders()) {
                json.append(separator)
                        .append('"')
                        .append(field.getLowerCaseName())
                        .append("\":\"")
                        .append(field.getValue().replace("\\", "\\\\").replace("\"", "\\\""))
                        .append('"');
                separator = ",";
            }
            json.append("}}");
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put("Connection", "keep-alive, X-Hop");
            response.getHeaders().put("X-Hop", "must not pass a proxy");
            response.getHeaders().put("X-Upstream", name);
            Content.Sink.write(response, true, json.toString(), callback);
        }

        private void streamBytes(Response response, Callback callback, long total) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, total);
            byte[] chunk = new byte[64 * 1024];
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = (byte) i;
            }
            new org.eclipse.jetty.util.IteratingCallback() {
                long left = total;

                @Override
                protected Action process() {
                    if (left == 0) {
                        return Action.SUCCEEDED;
                    }
                    int size = (int) Math.min(chunk.length, left);
                    left -= size;
                    response.write(left == 0, ByteBuffer.wrap(chunk, 0, size), this);
                    return Action.SCHEDULED;
                }

                @Override
                protected void onCompleteSuccess() {
                    callback.succeeded();
                }

                @Override
                protected void onCompleteFailure(Throwable cause) {
                    callback.failed(cause);
                }
            }.iterate();
        }

        private void upload(Request request, Response response, Callback callback) throws Exception {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            long length = 0;
            while (true) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    // Blocking is fine here: a test upstream, on a pool thread.
                    java.util.concurrent.CompletableFuture<Void> more = new java.util.concurrent.CompletableFuture<>();
                    request.demand(() -> more.complete(null));
                    more.get();
                    continue;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    callback.failed(chunk.getFailure());
                    return;
                }
                ByteBuffer buffer = chunk.getByteBuffer();
                length += buffer.remaining();
                sha256.update(buffer);
                chunk.release();
                if (chunk.isLast()) {
                    break;
                }
            }
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            Content.Sink.write(
                    response,
                    true,
                    "{\"length\":" + length + ",\"sha256\":\"" + HexFormat.of().formatHex(sha256.digest()) + "\"}",
                    callback);
        }

        private void die(Request request, Response response, Callback callback, int after) {
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, after * 10L);
            response.write(
                    false,
                    ByteBuffer.wrap(new byte[after]),
                    Callback.from(
                            () -> {
                                request.getConnectionMetaData()
                                        .getConnection()
                                        .getEndPoint()
                                        .close();
                                callback.failed(new IOException("upstream died on purpose"));
                            },
                            callback::failed));
        }
    }

    private static String value(Fields query, String name, String fallback) {
        String value = query.getValue(name);
        return value == null ? fallback : value;
    }
}
