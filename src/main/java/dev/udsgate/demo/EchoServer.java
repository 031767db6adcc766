package dev.udsgate.demo;

import dev.udsgate.http.Json;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A toy upstream for trying the gateway (the README's examples use it): it listens on a Unix socket
 * and answers every request with what it received, as JSON, so that routing, prefix stripping and
 * the headers the gateway adds can be seen. Not hardened: for a demonstration, not for serving.
 */
public final class EchoServer implements AutoCloseable {

    private final Server server;

    private EchoServer(Server server) {
        this.server = server;
    }

    /**
     * @param name put in every answer, to tell several upstreams apart
     * @throws Exception if the socket cannot be bound (its folder is missing, a file is there)
     */
    public static EchoServer start(Path socket, String name) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("echo");
        threads.setDaemon(true);
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        UnixDomainServerConnector connector = new UnixDomainServerConnector(server, new HttpConnectionFactory(http));
        connector.setUnixDomainPath(socket);
        server.addConnector(connector);
        server.setHandler(new Echo(name));
        server.start();
        return new EchoServer(server);
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /**
     * What an answer says.
     *
     * @param upstream the name given at start
     * @param query the query as sent, still percent-encoded; null if none
     * @param headers each header as received, repeated ones joined with ", "
     */
    record Received(String upstream, String method, String path, String query, Map<String, String> headers) {}

    private static final class Echo extends Handler.Abstract.NonBlocking {
        private final String name;

        Echo(String name) {
            this.name = name;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            Map<String, String> headers = new LinkedHashMap<>();
            for (HttpField field : request.getHeaders()) {
                headers.merge(field.getName(), field.getValue(), (a, b) -> a + ", " + b);
            }
            byte[] body = Json.bytes(new Received(
                    name,
                    request.getMethod(),
                    request.getHttpURI().getPath(),
                    request.getHttpURI().getQuery(),
                    headers));
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            response.write(true, ByteBuffer.wrap(body), callback);
            return true;
        }
    }
}
