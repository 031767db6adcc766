package dev.udsgate.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.udsgate.config.FieldError;
import java.util.List;

/**
 * An RFC 9457 problem detail, the body of every error response.
 *
 * @param type a URI naming the kind of problem
 * @param title the kind's short summary, the same for every occurrence
 * @param status the HTTP status code
 * @param detail what happened this time, for a person to read
 * @param instance the request path the problem is about
 * @param errors for an invalid body: each field that is wrong, by key path; absent otherwise
 * @param requestId the request's id ({@link RequestId}); absent for a request too broken to have one
 */
public record Problem(
        String type,
        String title,
        int status,
        String detail,
        String instance,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<FieldError> errors,
        @JsonInclude(JsonInclude.Include.NON_NULL) String requestId) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public Problem {
        errors = errors == null ? null : List.copyOf(errors);
    }

    public static Problem of(ProblemKind kind, int status, String detail, String instance) {
        return new Problem(kind.type(), kind.title(), status, detail, instance, null, null);
    }

    Problem withRequestId(String id) {
        return new Problem(type, title, status, detail, instance, errors, id);
    }
}
