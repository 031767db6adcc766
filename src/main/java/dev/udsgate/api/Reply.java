package dev.udsgate.api;

import dev.udsgate.http.ApiHeaders;
import dev.udsgate.http.Json;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * What an endpoint answers: a status, a typed body already encoded, and any extra headers.
 *
 * @param body read-only; each write takes its own view, so a constant reply can be shared
 */
public record Reply(int status, String contentType, ByteBuffer body, List<HttpField> headers) {

    static final String JSON = "application/json";
    static final String TEXT = "text/plain;charset=utf-8";

    public Reply {
        body = body.asReadOnlyBuffer();
        headers = List.copyOf(headers);
    }

    public static Reply json(Object value) {
        return json(200, value);
    }

    public static Reply json(int status, Object value) {
        return new Reply(status, JSON, ByteBuffer.wrap(Json.bytes(value)), List.of());
    }

    public static Reply text(String text, HttpField... headers) {
        return new Reply(200, TEXT, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), List.of(headers));
    }

    public Reply withHeader(String name, String value) {
        List<HttpField> more = new java.util.ArrayList<>(headers);
        more.add(new HttpField(name, value));
        return new Reply(status, contentType, body, more);
    }

    public static Reply empty(int status, HttpField... headers) {
        return new Reply(status, null, ByteBuffer.allocate(0), List.of(headers));
    }

    void writeTo(Response response, Callback callback) {
        response.setStatus(status);
        HttpFields.Mutable fields = response.getHeaders();
        fields.put(ApiHeaders.API_VERSION);
        if (contentType != null) {
            fields.put(HttpHeader.CONTENT_TYPE, contentType);
        }
        headers.forEach(fields::put);
        if (status != 204) { // RFC 9110: a 204 carries no Content-Length
            fields.put(HttpHeader.CONTENT_LENGTH, body.remaining());
        }
        // A view of its own: a constant reply is shared by concurrent responses.
        response.write(true, body.duplicate(), callback);
    }

    static HttpField header(HttpHeader name, String value) {
        return new org.eclipse.jetty.http.PreEncodedHttpField(name, value);
    }
}
