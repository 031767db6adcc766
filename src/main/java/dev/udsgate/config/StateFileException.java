package dev.udsgate.config;

/**
 * The route state file ({@code --state-file}) could not be written, so a change made over the API
 * was not made: the disk is full, the folder went away, permissions changed. Not the client's
 * mistake, and nothing it can fix; the message names the file and the reason.
 */
public final class StateFileException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StateFileException(String message) {
        super(message, null, false, false);
    }
}
