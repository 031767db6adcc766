package dev.udsgate.api;

import dev.udsgate.access.CallerAccess;
import dev.udsgate.connections.ConnectionRegistry;
import dev.udsgate.events.EventLog;
import dev.udsgate.gateway.GatewayRouter;
import dev.udsgate.gateway.RouteRegistry;
import dev.udsgate.reload.Reloader;
import dev.udsgate.socket.ListenerConnector;
import dev.udsgate.system.BuildInfo;
import dev.udsgate.system.RequestCounter;
import dev.udsgate.system.UserDirectory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.jetty.server.Request;

/**
 * The features the API reports on, handed to it by whoever wires the server.
 *
 * @param startedAt when this process started serving
 * @param heartbeatInterval how often a quiet event stream writes a heartbeat
 * @param listeners every listener now, in configuration order (a reload changes them)
 * @param reloader reads the configuration again and applies it
 * @param metrics every metric now, in Prometheus' text format
 * @param access what applies to the caller of a request on its listener
 */
public record ApiContext(
        BuildInfo build,
        Instant startedAt,
        RequestCounter requests,
        ConnectionRegistry connections,
        EventLog events,
        UserDirectory users,
        RouteRegistry routes,
        GatewayRouter router,
        Duration heartbeatInterval,
        Supplier<List<ListenerConnector>> listeners,
        Reloader reloader,
        Supplier<String> metrics,
        Function<Request, CallerAccess> access) {}
