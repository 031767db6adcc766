package dev.udsgate.config;

/**
 * A change that named a version of what it changes ({@code If-Match}) that is not the version now:
 * someone else changed it first. Answered 412 by the API.
 */
public final class VersionMismatchException extends RuntimeException {

    public VersionMismatchException(String message) {
        super(message);
    }
}
