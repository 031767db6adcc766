package dev.udsgate.http;

import dev.udsgate.config.FieldError;
import java.util.List;
import java.util.Map;

/** A request udsgate refuses, with what to tell the client; mapped to a response by {@link ProblemWriter}. */
public final class ProblemException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ProblemKind kind;
    private final transient List<FieldError> errors;
    private final transient Map<String, String> headers;

    public ProblemException(ProblemKind kind, String detail) {
        this(kind, detail, Map.of());
    }

    public ProblemException(ProblemKind kind, String detail, Map<String, String> headers) {
        this(kind, detail, headers, null);
    }

    private ProblemException(ProblemKind kind, String detail, Map<String, String> headers, List<FieldError> errors) {
        super(detail, null, false, false);
        this.kind = kind;
        this.errors = errors == null ? null : List.copyOf(errors);
        this.headers = Map.copyOf(headers);
    }

    /** A body that cannot be used, with every field that is wrong. */
    public static ProblemException invalidBody(String detail, List<FieldError> errors) {
        return new ProblemException(ProblemKind.BAD_REQUEST, detail, Map.of(), errors);
    }

    public List<FieldError> errors() {
        return errors;
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(ProblemKind.BAD_REQUEST, detail);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(ProblemKind.NOT_FOUND, detail);
    }

    public static ProblemException methodNotAllowed(String method, String path, String allow) {
        return new ProblemException(
                ProblemKind.METHOD_NOT_ALLOWED,
                method + " is not allowed on " + path + "; allowed: " + allow,
                Map.of("Allow", allow));
    }

    public ProblemKind kind() {
        return kind;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
