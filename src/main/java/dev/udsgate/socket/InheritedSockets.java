package dev.udsgate.socket;

import java.io.IOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The sockets a service manager passed in, by name, each waiting for the listener of that name
 * to {@link #take} it. A socket no listener takes is a start error ({@link #requireAllTaken}): it
 * was meant to be served, and silently leaving it unanswered would hang its clients.
 */
public final class InheritedSockets {

    private final Map<String, InheritedSocket> byName;

    InheritedSockets(Map<String, InheritedSocket> byName) {
        this.byName = new LinkedHashMap<>(byName);
    }

    /** No socket passed in: every listener binds its own. */
    public static InheritedSockets none() {
        return new InheritedSockets(Map.of());
    }

    public synchronized boolean isEmpty() {
        return byName.isEmpty();
    }

    /** The sockets not yet taken, by name. */
    public synchronized Map<String, InheritedSocket> byName() {
        return Map.copyOf(byName);
    }

    /** The socket for the listener {@code name}, if one was passed in; it is then that listener's. */
    public synchronized Optional<InheritedSocket> take(String name) {
        return Optional.ofNullable(byName.remove(name));
    }

    /**
     * Fails, naming each socket no listener took and the listeners there are, and closes them; call
     * it once every listener has taken its own.
     */
    public synchronized void requireAllTaken(Collection<String> listenerNames) {
        if (byName.isEmpty()) {
            return;
        }
        List<InheritedSocket> left = List.copyOf(byName.values());
        byName.clear();
        left.forEach(InheritedSockets::closeQuietly);
        String described = left.stream()
                .map(s -> "fd " + s.fd() + " (" + s.path() + ") is named '" + s.name() + "'")
                .collect(Collectors.joining(", "));
        throw new ListenerStartException(described + " in LISTEN_FDNAMES, but no listener has "
                + (left.size() == 1 ? "that name" : "those names") + " (listeners: " + String.join(", ", listenerNames)
                + "); set FileDescriptorName= in the .socket unit to a listener's name");
    }

    private static void closeQuietly(InheritedSocket socket) {
        try {
            socket.channel().close();
        } catch (IOException e) {
            // closing our copy of the descriptor: the service manager still has its own
        }
    }
}
