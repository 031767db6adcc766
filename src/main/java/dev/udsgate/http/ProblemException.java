package dev.udsgate.http;

import dev.udsgate.config.FieldError;
import dev.udsgate.config.InvalidConfigException;
import dev.udsgate.config.StateFileException;
import dev.udsgate.config.VersionMismatchException;
import dev.udsgate.reload.NothingToReloadException;
import dev.udsgate.reload.ReloadRefusedException;
import dev.udsgate.socket.PermissionChangeException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpException;

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

    /**
     * What a failure a feature or Jetty threw means for the client, or empty for a failure of the
     * server itself (a bug: logged with its trace, answered 500). The one place where errors that are
     * not the API's own refusals get a status.
     */
    public static Optional<ProblemException> of(RuntimeException failure) {
        if (failure instanceof ProblemException problem) {
            return Optional.of(problem);
        }
        // Jetty's verdict on the request itself, such as a query string that is not valid percent-encoding.
        if (failure instanceof HttpException http && http.getCode() >= 400 && http.getCode() < 500) {
            ProblemKind kind = ProblemKind.forStatus(http.getCode()).orElse(ProblemKind.BAD_REQUEST);
            return Optional.of(new ProblemException(kind, ProblemWriter.clientError(kind.title(), http.getReason())));
        }
        // A route sent to the API (ConfigFileLoader.apiRoute): every field that is wrong, as a file's would be.
        if (failure instanceof InvalidConfigException invalid) {
            return Optional.of(invalidBody(
                    "the body is not valid: "
                            + invalid.errors().stream()
                                    .map(FieldError::toString)
                                    .collect(Collectors.joining("; ")),
                    invalid.errors()));
        }
        // A configuration read again (POST /v1/reload) that cannot be used: its errors, as at start.
        if (failure instanceof ReloadRefusedException refused) {
            return Optional.of(invalidBody(refused.getMessage(), refused.errors()));
        }
        if (failure instanceof NothingToReloadException nothing) {
            return Optional.of(new ProblemException(ProblemKind.CONFLICT, nothing.getMessage()));
        }
        if (failure instanceof VersionMismatchException stale) {
            return Optional.of(new ProblemException(ProblemKind.PRECONDITION_FAILED, stale.getMessage()));
        }
        if (failure instanceof PermissionChangeException notChanged) {
            return Optional.of(new ProblemException(
                    notChanged.reason() == PermissionChangeException.Reason.NOT_OURS
                            ? ProblemKind.CONFLICT
                            : ProblemKind.BAD_REQUEST,
                    notChanged.getMessage()));
        }
        if (failure instanceof StateFileException notSaved) {
            return Optional.of(new ProblemException(ProblemKind.UNAVAILABLE, notSaved.getMessage()));
        }
        return Optional.empty();
    }

    public ProblemKind kind() {
        return kind;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
