package dev.udsgate.api;

import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** An operation that writes its own response, for answers that are streams rather than one body. */
@FunctionalInterface
public interface StreamingEndpoint {
    /** Must complete {@code callback} when the response is done, from any thread, never blocking. */
    void handle(ApiCall call, Response response, Callback callback);
}
