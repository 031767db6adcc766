package dev.udsgate.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Node project of src/test/typescript, staged in target/ts-clients beside the TypeScript client
 * the build generated there (generated/), its pinned packages installed from package-lock.json and
 * everything compiled by tsc, once per JVM. {@code npm ci} runs again only when the lock file
 * changed. Node and npm are required: without them this fails, saying so, rather than skip.
 */
public final class NodeProject {

    public static final Path SOURCES = Path.of("src", "test", "typescript");
    public static final Path DIR = Path.of("target", "ts-clients").toAbsolutePath();

    /** dclint 3 needs Node 20.19.0 or later, undici 7 20.18.1 (their package.json's engines). */
    private static final int[] NODE_AT_LEAST = {20, 19, 0};

    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration COMPILE_TIMEOUT = Duration.ofMinutes(2);
    private static final Path INSTALLED_LOCK = Path.of("node_modules", ".udsgate-installed-lock.json");

    private static NodeProject prepared;
    private static boolean installed;

    private NodeProject() {}

    /** What a command printed (stdout and stderr, interleaved) and its exit code. */
    public record Result(int exitCode, String output) {}

    public static synchronized NodeProject prepared() {
        if (prepared == null) {
            installed();
            Result tsc =
                    run(COMPILE_TIMEOUT, Map.of(), "node", "node_modules/typescript/bin/tsc", "-p", "tsconfig.json");
            if (tsc.exitCode() != 0) {
                throw new AssertionError(
                        "tsc did not compile " + DIR + " (the generated client and its tests):\n" + tsc.output());
            }
            prepared = new NodeProject();
        }
        return prepared;
    }

    /**
     * The pinned packages installed, without compiling anything: for tests that only run a tool
     * from node_modules (dclint), so they need not wait for tsc.
     */
    public static synchronized void installed() {
        if (!installed) {
            requireNode();
            stage();
            install();
            installed = true;
        }
    }

    /** Runs {@code command} in target/ts-clients, failing if it outlives {@code timeout}. */
    public static Result run(Duration timeout, Map<String, String> env, String... command) {
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> copy(process.getInputStream(), output), "output of " + command[0]);
            reader.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                reader.join(1000);
                throw new AssertionError(String.join(" ", command) + " did not end within " + timeout + ":\n"
                        + output.toString(StandardCharsets.UTF_8));
            }
            reader.join();
            return new Result(process.exitValue(), output.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static void requireNode() {
        String version = versionOf("node");
        Matcher m = Pattern.compile("v(\\d+)\\.(\\d+)\\.(\\d+)").matcher(version == null ? "" : version);
        int[] found = m.find()
                ? new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))}
                : null;
        if (found == null || Arrays.compare(found, NODE_AT_LEAST) < 0) {
            throw new AssertionError("the tests that run npm packages need Node.js 20.19.0 or later and npm on the PATH"
                    + " (found node: " + (version == null ? "none" : version.strip()) + "); install them,"
                    + " for example from nodejs.org or NodeSource, and run the build again");
        }
        if (versionOf("npm") == null) {
            throw new AssertionError(
                    "the TypeScript client tests need npm on the PATH, beside node " + version.strip());
        }
    }

    private static String versionOf(String tool) {
        try {
            Process process = new ProcessBuilder(tool, "--version")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null; // not on the PATH
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Copies the project's own files next to generated/ (which the build wrote there). */
    private static void stage() {
        try {
            Files.createDirectories(DIR);
            List<Path> files = new ArrayList<>();
            try (Stream<Path> listing = Files.list(SOURCES)) {
                listing.filter(Files::isRegularFile).forEach(files::add);
            }
            for (Path file : files) {
                Files.copy(file, DIR.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
            if (!Files.isDirectory(DIR.resolve("generated"))) {
                throw new AssertionError(DIR.resolve("generated") + " is missing: the build's openapi-generator"
                        + " step (generate-test-sources) makes it; run the tests through Maven");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void install() {
        try {
            byte[] lock = Files.readAllBytes(DIR.resolve("package-lock.json"));
            Path installed = DIR.resolve(INSTALLED_LOCK);
            if (Files.exists(installed) && Arrays.equals(Files.readAllBytes(installed), lock)) {
                return; // node_modules is what the lock file says
            }
            Result ci = run(INSTALL_TIMEOUT, Map.of(), "npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts");
            if (ci.exitCode() != 0) {
                throw new AssertionError("npm ci failed in " + DIR + ":\n" + ci.output());
            }
            Files.write(installed, lock);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try {
            in.transferTo(out);
        } catch (IOException e) {
            // the process is gone; what it printed so far is all there is
        }
    }
}
