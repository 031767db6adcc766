package dev.udsgate.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.udsgate.testing.NodeProject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract passes Redocly's lint (the version pinned in src/test/typescript/package.json) with
 * its recommended rules, warnings counted as errors (recommended-strict).
 */
class SpecLintTest {

    private static final Path SPEC = Path.of("openapi", "udsgate.yaml").toAbsolutePath();

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES) // a first npm ci downloads the pinned packages
    void theSpecHasNoLintErrorOrWarning() {
        NodeProject.prepared();
        NodeProject.Result lint = NodeProject.run(
                Duration.ofMinutes(1),
                Map.of("NO_COLOR", "1", "REDOCLY_TELEMETRY", "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE", "true"),
                "node",
                "node_modules/@redocly/cli/bin/cli.js",
                "lint",
                "--extends",
                "recommended-strict",
                SPEC.toString());

        assertThat(lint.exitCode()).as("redocly lint:\n%s", lint.output()).isZero();
        // Strict turns warnings into errors; a warning the rules leave as one still shows here.
        assertThat(lint.output())
                .contains("Your API description is valid")
                .doesNotContainPattern("You have \\d+ warning");
    }
}
