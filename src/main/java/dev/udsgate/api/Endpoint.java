package dev.udsgate.api;

import dev.udsgate.http.ProblemException;

/** One operation of the API: reads its typed input from the call, asks a feature, answers. */
@FunctionalInterface
public interface Endpoint {
    Reply handle(ApiCall call) throws ProblemException;

    default StreamingEndpoint streaming() {
        return (call, response, callback) -> handle(call).writeTo(response, callback);
    }
}
