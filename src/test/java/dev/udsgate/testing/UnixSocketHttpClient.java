package dev.udsgate.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import org.apache.http.conn.DnsResolver;
import org.apache.http.conn.scheme.Scheme;
import org.apache.http.conn.scheme.SchemeRegistry;
import org.apache.http.conn.scheme.SchemeSocketFactory;
import org.apache.http.impl.NoConnectionReuseStrategy;
import org.apache.http.impl.client.DefaultHttpClient;
import org.apache.http.impl.conn.PoolingClientConnectionManager;
import org.apache.http.params.HttpParams;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * An Apache HttpClient 4 (the one REST Assured drives) whose every connection is a Unix-socket
 * connection to one path, whatever host the URL names, closed after its one exchange: as {@code
 * curl --unix-socket PATH} does.
 */
@SuppressWarnings("deprecation") // REST Assured needs the AbstractHttpClient family
public final class UnixSocketHttpClient {

    private UnixSocketHttpClient() {}

    public static DefaultHttpClient to(Path socket) {
        SchemeRegistry schemes = new SchemeRegistry();
        schemes.register(new Scheme("http", 80, new UnixSocketFactory(socket)));
        // Host names are only for the Host header: never look them up.
        DnsResolver anyHost = host -> new InetAddress[] {InetAddress.getLoopbackAddress()};
        DefaultHttpClient client = new DefaultHttpClient(new PoolingClientConnectionManager(schemes, anyHost));
        // REST Assured makes a client per request and never shuts it down: a kept-alive connection
        // would stay open until the collector finalises the pool, so tests that count closed
        // connections would depend on GC timing. Close each connection once its answer is read.
        client.setReuseStrategy(new NoConnectionReuseStrategy());
        return client;
    }

    private record UnixSocketFactory(Path socket) implements SchemeSocketFactory {
        @Override
        public Socket createSocket(HttpParams params) throws IOException {
            return AFUNIXSocket.newInstance();
        }

        @Override
        public Socket connectSocket(Socket sock, InetSocketAddress remote, InetSocketAddress local, HttpParams params)
                throws IOException {
            Socket unix = sock == null ? AFUNIXSocket.newInstance() : sock;
            unix.connect(AFUNIXSocketAddress.of(socket));
            return unix;
        }

        @Override
        public boolean isSecure(Socket sock) {
            return false;
        }
    }
}
