package dev.udsgate.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.udsgate.system.BuildInfo;
import dev.udsgate.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract is served as built, and says exactly what the routing table serves. */
class ContractTest {

    private static final Path SPEC = Path.of("openapi/udsgate.yaml");
    private static final Set<String> METHODS = Set.of("get", "head", "put", "post", "delete", "patch", "options");

    @TempDir
    Path dir;

    @Test
    void theYamlIsServedByteForByteAndTheJsonIsTheSameDocument() throws Exception {
        try (TestServer server = TestServer.start(dir.resolve("udsgate.sock"))) {
            byte[] yaml = server.api()
                    .get("/v1/openapi.yaml")
                    .then()
                    .statusCode(200)
                    .contentType("application/yaml")
                    .extract()
                    .asByteArray();
            assertThat(yaml).isEqualTo(Files.readAllBytes(SPEC));

            String json = server.api()
                    .get("/v1/openapi.json")
                    .then()
                    .statusCode(200)
                    .contentType("application/json")
                    .extract()
                    .asString();
            assertThat(new ObjectMapper().readTree(json)).isEqualTo(new ObjectMapper(new YAMLFactory()).readTree(yaml));
        }
    }

    @Test
    void theSpecsOperationsAreExactlyTheRoutingTables() throws Exception {
        JsonNode paths =
                new ObjectMapper(new YAMLFactory()).readTree(SPEC.toFile()).get("paths");
        List<String> specified = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> path = it.next();
            path.getValue().fieldNames().forEachRemaining(method -> {
                if (METHODS.contains(method)) {
                    specified.add(method.toUpperCase(java.util.Locale.ROOT) + " " + path.getKey());
                }
            });
        }

        // The table only: no endpoint is called, so no feature behind it is needed.
        ApiContext nothing = new ApiContext(
                BuildInfo.current(),
                Instant.now(),
                null,
                null,
                null,
                null,
                null,
                null,
                Duration.ofSeconds(1),
                List::of,
                null,
                () -> "",
                null);
        List<String> served = ApiRoutes.table(nothing).operations();

        assertThat(served).containsExactlyInAnyOrderElementsOf(specified);
    }
}
