package dev.udsgate.http;

/** Every kind of failure the API reports, each with its status and a stable problem type. */
public enum ProblemKind {
    BAD_REQUEST(400, "Bad Request", "bad-request"),
    FORBIDDEN(403, "Forbidden", "forbidden"),
    NOT_FOUND(404, "Not Found", "not-found"),
    METHOD_NOT_ALLOWED(405, "Method Not Allowed", "method-not-allowed"),
    REQUEST_TIMEOUT(408, "Request Timeout", "request-timeout"),
    CONFLICT(409, "Conflict", "conflict"),
    PRECONDITION_FAILED(412, "Precondition Failed", "precondition-failed"),
    PAYLOAD_TOO_LARGE(413, "Content Too Large", "content-too-large"),
    UNSUPPORTED_MEDIA_TYPE(415, "Unsupported Media Type", "unsupported-media-type"),
    INTERNAL(500, "Internal Server Error", "internal"),
    BAD_GATEWAY(502, "Bad Gateway", "bad-gateway"),
    UNAVAILABLE(503, "Service Unavailable", "unavailable"),
    GATEWAY_TIMEOUT(504, "Gateway Timeout", "gateway-timeout"),
    LOOP_DETECTED(508, "Loop Detected", "loop-detected");

    private final int status;
    private final String title;
    private final String type;

    ProblemKind(int status, String title, String slug) {
        this.status = status;
        this.title = title;
        this.type = "urn:udsgate:problem:" + slug;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String type() {
        return type;
    }

    /** The kind with exactly this status, if the API names one. */
    public static java.util.Optional<ProblemKind> forStatus(int status) {
        for (ProblemKind kind : values()) {
            if (kind.status == status) {
                return java.util.Optional.of(kind);
            }
        }
        return java.util.Optional.empty();
    }
}
