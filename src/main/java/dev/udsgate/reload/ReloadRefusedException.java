package dev.udsgate.reload;

import dev.udsgate.config.FieldError;
import dev.udsgate.config.InvalidConfigException;
import java.util.List;

/**
 * The configuration read again cannot be used: nothing was changed, and the running configuration
 * stays. Carries every error, in the words {@code serve} uses for them at start.
 */
public final class ReloadRefusedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient List<FieldError> errors;

    public ReloadRefusedException(InvalidConfigException invalid) {
        super("reload refused, the running configuration stays: " + invalid.getMessage(), invalid);
        this.errors = invalid.errors();
    }

    public List<FieldError> errors() {
        return errors;
    }
}
