package dev.udsgate.connections;

import dev.udsgate.system.Principal;

/**
 * Who is at the other end of a connection, as the kernel says ({@code SO_PEERCRED}), read once at
 * accept: the credentials of the process that called {@code connect()}. Never from a header.
 */
public record Peer(Principal user, Principal group) {

    /** What the API and the logs call this peer: its user name, or its uid when it has no name. */
    public String userLabel() {
        return user.name() != null ? user.name() : String.valueOf(user.id());
    }
}
