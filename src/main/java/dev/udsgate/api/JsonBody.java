package dev.udsgate.api;

import dev.udsgate.http.ProblemException;
import dev.udsgate.http.ProblemKind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;

/**
 * Reads a request's JSON body as text, within a size limit. What the text must say is checked by
 * whoever reads it ({@code ConfigFileLoader.apiRoute} for a route), field by field.
 */
final class JsonBody {

    /** API bodies are small documents; anything bigger is a mistake or an attack. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    private JsonBody() {}

    /** The body as UTF-8 text: it must be there, declared JSON (if declared at all), and fit the limit. */
    static String text(ApiCall call) {
        String contentType = call.request().getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (contentType != null && !contentType.toLowerCase(Locale.ROOT).contains("json")) {
            throw new ProblemException(
                    ProblemKind.UNSUPPORTED_MEDIA_TYPE, "the body must be application/json, got " + contentType);
        }
        byte[] bytes = bytes(call);
        if (bytes.length == 0) {
            throw ProblemException.badRequest("a JSON body is needed");
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw ProblemException.badRequest("the body is not UTF-8 text, as JSON must be");
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
}
