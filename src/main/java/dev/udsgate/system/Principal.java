package dev.udsgate.system;

import java.util.Objects;

/**
 * A user or a group as the system knows it.
 *
 * @param name the name, or null when the id has no entry in the user or group database (as with
 *     a container's uids)
 * @param id the numeric id, or null when only the name is known (a name from a directory service
 *     that {@code /etc/passwd} and {@code /etc/group} do not list)
 */
public record Principal(String name, Long id) {

    public Principal {
        if (name == null && id == null) {
            throw new IllegalArgumentException("a principal needs a name or an id");
        }
    }

    /** From the JDK, which spells an id without a name as the number itself. */
    public static Principal of(String nameOrNumber, long id) {
        return new Principal(Objects.equals(nameOrNumber, Long.toString(id)) ? null : nameOrNumber, id);
    }

    /** True if {@code text} is this principal's name or its id. */
    public boolean matches(String text) {
        return text.equals(name) || (id != null && text.equals(id.toString()));
    }
}
