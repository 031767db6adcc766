package dev.udsgate.socket;

/**
 * A listener could not be put in place. The message is for the person who started udsgate: it names
 * the path, what was found and what to do.
 */
public final class ListenerStartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ListenerStartException(String message) {
        super(message);
    }

    public ListenerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
