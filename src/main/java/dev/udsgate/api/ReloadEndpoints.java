package dev.udsgate.api;

import dev.udsgate.connections.ConnectionRegistry;
import dev.udsgate.reload.Reloader;

/**
 * {@code POST /v1/reload}: the configuration read again and applied, as SIGHUP does; the answer
 * says what changed. Only on a listener that offers the whole API: a read-only one refuses the POST.
 */
final class ReloadEndpoints {

    private final Reloader reloader;
    private final ConnectionRegistry connections;

    ReloadEndpoints(Reloader reloader, ConnectionRegistry connections) {
        this.reloader = reloader;
        this.connections = connections;
    }

    Reply reload(ApiCall call) {
        return Reply.json(reloader.reload(connections.userOf(call.connection())));
    }
}
