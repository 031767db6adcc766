package dev.udsgate.config;

import java.util.List;
import java.util.stream.Collectors;

/** A configuration (a file, or a route sent to the API) that cannot be used, with every reason. */
public final class InvalidConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient List<FieldError> errors;

    public InvalidConfigException(String source, List<FieldError> errors) {
        super(source + ": " + errors.stream().map(FieldError::toString).collect(Collectors.joining("; ")));
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }
}
