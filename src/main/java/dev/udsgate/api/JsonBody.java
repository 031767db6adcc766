package dev.udsgate.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.udsgate.config.FieldError;
import dev.udsgate.http.Json;
import dev.udsgate.http.ProblemException;
import dev.udsgate.http.ProblemKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;

/**
 * Reads a request's JSON body into a record, within a size limit. A body that is too big, not JSON,
 * or not the expected shape is a problem that points at the field.
 */
final class JsonBody {

    /** API bodies are small documents; anything bigger is a mistake or an attack. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    private JsonBody() {}

    static <T> T read(ApiCall call, Class<T> type) {
        String contentType = call.request().getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (contentType != null
                && !contentType.toLowerCase(java.util.Locale.ROOT).contains("json")) {
            throw new ProblemException(
                    ProblemKind.UNSUPPORTED_MEDIA_TYPE, "the body must be application/json, got " + contentType);
        }
        byte[] bytes = bytes(call);
        if (bytes.length == 0) {
            throw ProblemException.badRequest("a JSON body is needed");
        }
        try {
            return Json.mapper().readValue(bytes, type);
        } catch (UnrecognizedPropertyException e) {
            throw ProblemException.invalidBody(
                    "the body has an unknown field",
                    List.of(new FieldError(path(e), "unknown field; known fields: " + e.getKnownPropertyIds())));
        } catch (JsonMappingException e) {
            throw ProblemException.invalidBody(
                    "the body does not have the expected shape",
                    List.of(new FieldError(path(e), e.getOriginalMessage())));
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("the body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Blocking read: only from endpoints added with {@link Routes#addBlocking}, which run on the pool. */
    private static byte[] bytes(ApiCall call) {
        long declared = call.request().getLength();
        if (declared > MAX_BODY_BYTES) {
            throw tooLarge();
        }
        try (InputStream in = Content.Source.asInputStream(call.request())) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw tooLarge();
            }
            return bytes;
        } catch (IOException e) {
            throw ProblemException.badRequest("the body could not be read: " + e.getMessage());
        }
    }

    private static ProblemException tooLarge() {
        return new ProblemException(ProblemKind.PAYLOAD_TOO_LARGE, "the body is over " + MAX_BODY_BYTES + " bytes");
    }

    /** Jackson's path as a key path: {@code healthCheck.interval}, {@code upstreams[0]}. */
    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            } else if (reference.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(reference.getFieldName());
            }
        }
        return path.length() == 0 ? "(body)" : path.toString();
    }
}
