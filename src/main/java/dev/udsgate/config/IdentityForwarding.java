package dev.udsgate.config;

import java.util.Locale;
import java.util.Optional;

/**
 * Which of the caller's identity headers ({@code Udsgate-*}) a route sends its upstream. Whatever
 * it says, every header of that namespace a client sent is dropped: only udsgate sets them.
 */
public enum IdentityForwarding {
    /** None: the upstream is told nothing of the caller. */
    NONE,
    /** What the kernel said at accept: connection, listener, uid, user, gid, group, pid. */
    KERNEL,
    /**
     * The kernel's, and the connecting process as {@code /proc} shows it (executable, command,
     * container, pod): read once per connection, on its first forwarded request.
     */
    PROCESS;

    public static final String CHOICES = "none, kernel or process";

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<IdentityForwarding> parse(String text) {
        for (IdentityForwarding forwarding : values()) {
            if (forwarding.label().equals(text)) {
                return Optional.of(forwarding);
            }
        }
        return Optional.empty();
    }
}
