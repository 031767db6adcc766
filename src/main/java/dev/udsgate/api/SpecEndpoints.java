package dev.udsgate.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.udsgate.http.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * {@code /v1/openapi.yaml} and {@code /v1/openapi.json}: the contract this build was tested
 * against, {@code openapi/udsgate.yaml} byte for byte (the build copies it into the jar), and the
 * same document as JSON for generators that want JSON.
 */
final class SpecEndpoints {

    /** Where the build puts {@code openapi/udsgate.yaml} in the jar. */
    static final String RESOURCE = "/dev/udsgate/openapi/udsgate.yaml";

    /** RFC 9512's media type for YAML. */
    private static final String YAML = "application/yaml";

    private final Reply yaml;
    private final Reply json;

    SpecEndpoints() {
        byte[] document = read();
        this.yaml = new Reply(200, YAML, ByteBuffer.wrap(document), List.of());
        try {
            Object tree = new ObjectMapper(new YAMLFactory()).readTree(document);
            this.json = new Reply(200, Reply.JSON, ByteBuffer.wrap(Json.bytes(tree)), List.of());
        } catch (IOException e) {
            throw new UncheckedIOException("the contract in the jar is not YAML", e);
        }
    }

    Reply yaml(ApiCall call) {
        return yaml;
    }

    Reply json(ApiCall call) {
        return json;
    }

    private static byte[] read() {
        try (InputStream in = SpecEndpoints.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the build left " + RESOURCE + " out of the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
