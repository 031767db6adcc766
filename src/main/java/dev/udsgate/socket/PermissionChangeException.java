package dev.udsgate.socket;

/**
 * A change of a live socket's permissions that was not made: nothing was changed.
 *
 * @see UnixListener#changePermissions
 */
public final class PermissionChangeException extends RuntimeException {

    /** Why: the caller's mistake (a group that does not exist), or the file's state (not ours now). */
    public enum Reason {
        INVALID,
        NOT_OURS
    }

    private final Reason reason;

    PermissionChangeException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
