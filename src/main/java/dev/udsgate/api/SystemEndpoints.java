package dev.udsgate.api;

import dev.udsgate.peer.PeerReader;
import dev.udsgate.socket.UnixListener;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.Jetty;

/** {@code /_ping}, {@code /v1/version} and {@code /v1/info}: is it up, what is it, how is it doing. */
final class SystemEndpoints {

    /** As Docker's {@code /_ping}: a proxy or a client must never answer it from a cache. */
    private static final Reply PING = Reply.text(
            "OK",
            Reply.header(HttpHeader.CACHE_CONTROL, "no-cache, no-store, must-revalidate"),
            Reply.header(HttpHeader.PRAGMA, "no-cache"));

    private final ApiContext context;
    private final Reply version;

    SystemEndpoints(ApiContext context) {
        this.context = context;
        this.version = Reply.json(new VersionBody(
                context.build().version(),
                context.build().apiVersion(),
                System.getProperty("java.version"),
                Jetty.VERSION,
                System.getProperty("os.name"),
                System.getProperty("os.version"),
                System.getProperty("os.arch")));
    }

    Reply ping(ApiCall call) {
        return PING;
    }

    Reply version(ApiCall call) {
        return version;
    }

    Reply info(ApiCall call) {
        Instant now = Instant.now();
        List<ListenerSummary> listeners = context.listeners().get().stream()
                .map(connector -> ListenerSummary.of(connector.listener()))
                .toList();
        return Reply.json(new InfoBody(
                context.startedAt(),
                Duration.between(context.startedAt(), now).toMillis(),
                ProcessHandle.current().pid(),
                call.listener().name(),
                listeners,
                context.connections().openCount(),
                context.connections().acceptedCount(),
                context.requests().received(),
                context.connections().peerReader()));
    }

    /** {@code GET /v1/version}. */
    record VersionBody(
            String version,
            String apiVersion,
            String javaVersion,
            String jettyVersion,
            String os,
            String osVersion,
            String arch) {}

    /**
     * {@code GET /v1/info}.
     *
     * @param listener the name of the listener this request came through
     * @param requestsServed requests received since start, this one included
     * @param peerCredentials how peers' credentials are read: natively, with pids (and pidfds), or
     *     through the JDK, without pids
     */
    record InfoBody(
            Instant startedAt,
            long uptimeMillis,
            long pid,
            String listener,
            List<ListenerSummary> listeners,
            int openConnections,
            long acceptedConnections,
            long requestsServed,
            PeerReader.Kind peerCredentials) {}

    /** A listener in one line: where it is and whether it is up. */
    record ListenerSummary(String name, Path path, String mode, String state) {
        static ListenerSummary of(UnixListener listener) {
            return new ListenerSummary(
                    listener.name(),
                    listener.path(),
                    listener.config().mode().octal(),
                    listener.state().label());
        }
    }
}
