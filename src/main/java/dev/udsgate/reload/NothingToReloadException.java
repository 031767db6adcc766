package dev.udsgate.reload;

/** A reload was asked of a udsgate that has no configuration file to read again. */
public final class NothingToReloadException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public NothingToReloadException() {
        super("nothing to reload: udsgate was started without --config");
    }
}
