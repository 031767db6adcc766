package dev.udsgate.reload;

import java.util.List;

/**
 * What a reload did, by name: the answer of {@code POST /v1/reload} and the data of the
 * {@code config.reloaded} event.
 *
 * @param listeners listeners added, removed, changed in place (mode, group, offer or access rules) and replaced
 *     (path, owner or backlog: the old one stopped, a new one started)
 * @param routes the configuration file's routes added, removed and changed; routes changed over the
 *     API still apply over them
 * @param atNextStart settings the file changed that only a restart applies, by their key in the file
 * @param failed what could not be applied although the configuration was valid, one line each (a
 *     socket the kernel would not let udsgate make, a group it may not give); the rest was applied
 */
public record ReloadSummary(
        ListenerChanges listeners, RouteChanges routes, List<String> atNextStart, List<String> failed) {

    public ReloadSummary {
        atNextStart = List.copyOf(atNextStart);
        failed = List.copyOf(failed);
    }

    /** Whether the reload changed nothing at all. */
    public boolean changesNothing() {
        return listeners.added().isEmpty()
                && listeners.removed().isEmpty()
                && listeners.changed().isEmpty()
                && listeners.replaced().isEmpty()
                && routes.added().isEmpty()
                && routes.removed().isEmpty()
                && routes.changed().isEmpty();
    }

    /** One line for the log. */
    public String describe() {
        if (changesNothing()) {
            return "nothing changed";
        }
        StringBuilder line = new StringBuilder();
        part(line, "listeners added", listeners.added());
        part(line, "listeners removed", listeners.removed());
        part(line, "listeners changed", listeners.changed());
        part(line, "listeners replaced", listeners.replaced());
        part(line, "routes added", routes.added());
        part(line, "routes removed", routes.removed());
        part(line, "routes changed", routes.changed());
        return line.toString();
    }

    private static void part(StringBuilder line, String what, List<String> names) {
        if (names.isEmpty()) {
            return;
        }
        if (line.length() > 0) {
            line.append("; ");
        }
        line.append(what).append(": ").append(String.join(", ", names));
    }

    public record ListenerChanges(
            List<String> added, List<String> removed, List<String> changed, List<String> replaced) {
        public ListenerChanges {
            added = List.copyOf(added);
            removed = List.copyOf(removed);
            changed = List.copyOf(changed);
            replaced = List.copyOf(replaced);
        }
    }

    public record RouteChanges(List<String> added, List<String> removed, List<String> changed) {
        public RouteChanges {
            added = List.copyOf(added);
            removed = List.copyOf(removed);
            changed = List.copyOf(changed);
        }
    }
}
