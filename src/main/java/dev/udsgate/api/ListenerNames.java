package dev.udsgate.api;

import dev.udsgate.http.ProblemException;
import dev.udsgate.socket.ListenerConnector;
import java.util.List;
import java.util.function.Supplier;

/**
 * The listeners' names now, for the {@code listener} query parameter: one that names none is a
 * client's mistake.
 */
record ListenerNames(Supplier<List<ListenerConnector>> listeners) {

    void require(String name) {
        List<String> names = listeners.get().stream()
                .map(connector -> connector.listener().name())
                .toList();
        if (!names.contains(name)) {
            throw ProblemException.badRequest("query parameter 'listener' names no listener: got '" + name
                    + "'; the listeners are " + String.join(", ", names));
        }
    }
}
