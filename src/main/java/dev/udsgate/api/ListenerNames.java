package dev.udsgate.api;

import dev.udsgate.http.ProblemException;
import java.util.List;

/** The listeners' names, for the {@code listener} query parameter: one that names none is a client's mistake. */
record ListenerNames(List<String> names) {

    ListenerNames {
        names = List.copyOf(names);
    }

    void require(String name) {
        if (!names.contains(name)) {
            throw ProblemException.badRequest("query parameter 'listener' names no listener: got '" + name
                    + "'; the listeners are " + String.join(", ", names));
        }
    }
}
