package dev.udsgate.testing;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Prometheus' own {@code promtool check metrics}: it parses the text exposition format as the
 * Prometheus server does and lints it by Prometheus' naming rules (Debian package {@code
 * prometheus}, which {@code .ci/run} installs). Missing, a test that needs it is skipped with the
 * reason, unless {@code CI=true}: there, it fails.
 */
public final class Promtool {

    private static final long TIMEOUT_SECONDS = 30;

    private Promtool() {}

    /** What promtool said of an exposition: its exit code (0: valid, no lint problem) and its output. */
    public record Verdict(int exitCode, String output) {}

    public static Verdict checkMetrics(String exposition) {
        Path promtool = onPath().orElseGet(Promtool::missing);
        try {
            Process process = new ProcessBuilder(promtool.toString(), "check", "metrics")
                    .redirectErrorStream(true)
                    .start();
            try (OutputStream in = process.getOutputStream()) {
                in.write(exposition.getBytes(StandardCharsets.UTF_8));
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("promtool check metrics did not finish within " + TIMEOUT_SECONDS + " s");
            }
            return new Verdict(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Optional<Path> onPath() {
        for (String folder : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(folder.isEmpty() ? "." : folder, "promtool");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static Path missing() {
        String reason = "needs promtool on the PATH (apt-get install prometheus; .ci/run installs it)";
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(reason);
        }
        return Assumptions.abort(reason);
    }
}
