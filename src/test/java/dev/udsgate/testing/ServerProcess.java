package dev.udsgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * udsgate as a separate process, for what only a process shows: exit codes, signals, what is
 * printed. Its output (stdout and stderr together, unless {@link #startApart}) goes to a file the
 * test can read.
 */
public final class ServerProcess implements AutoCloseable {

    private final Process process;
    private final Path output;
    private final Path errors;

    private ServerProcess(Process process, Path output, Path errors) {
        this.process = process;
        this.output = output;
        this.errors = errors;
    }

    /**
     * What udsgate.jar's manifest gives a {@code java -jar} ({@code Add-Opens}, {@code
     * Enable-Native-Access}): the native peer reader needs both, and JDK 22+ warns without the second.
     */
    public static final List<String> AS_THE_JAR_RUNS =
            List.of("--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED");

    /**
     * For a command that parses, says one thing and exits: the jar's options, and a JVM that starts
     * quicker (C1 only, the serial collector), which for a run this short changes nothing else.
     */
    private static final List<String> QUICK_EXIT = List.of(
            "--add-opens",
            "java.base/sun.nio.ch=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC");

    /** Starts {@code main} with {@code args} on this test run's class path, as {@code java -jar} would. */
    public static ServerProcess start(Path outputFile, Class<?> main, String... args) {
        return start(outputFile, AS_THE_JAR_RUNS, main, args);
    }

    /** The same, with exactly these options for the JVM, such as {@code -Dname=value}. */
    public static ServerProcess start(Path outputFile, List<String> jvmOptions, Class<?> main, String... args) {
        return startThrough(outputFile, List.of(), jvmOptions, main, args);
    }

    /**
     * The same, started by {@code launcher} ({@code systemd-socket-activate -l PATH}, a shell that
     * opens descriptors), which must end by exec'ing the java command appended to it.
     */
    public static ServerProcess startThrough(
            Path outputFile, List<String> launcher, List<String> jvmOptions, Class<?> main, String... args) {
        return start(outputFile, null, launcher, jvmOptions, main, args);
    }

    /**
     * The same with standard error apart from standard output, in {@code errorFile}: {@link #output}
     * is then standard output alone, and {@link #errors} standard error.
     */
    public static ServerProcess startApart(Path outputFile, Path errorFile, Class<?> main, String... args) {
        return start(outputFile, errorFile, List.of(), AS_THE_JAR_RUNS, main, args);
    }

    private static ServerProcess start(
            Path outputFile,
            Path errorFile,
            List<String> launcher,
            List<String> jvmOptions,
            Class<?> main,
            String... args) {
        List<String> command = new ArrayList<>(launcher);
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(outputFile.toFile())
                    .redirectInput(
                            ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            if (errorFile == null) {
                builder.redirectErrorStream(true);
            } else {
                builder.redirectError(errorFile.toFile());
            }
            return new ServerProcess(builder.start(), outputFile, errorFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code main} to its end and returns its exit code; output in {@code outputFile}. */
    public static int run(Path outputFile, Class<?> main, String... args) {
        try (ServerProcess process = start(outputFile, QUICK_EXIT, main, args)) {
            return process.awaitExit(Duration.ofSeconds(20));
        }
    }

    public long pid() {
        return process.pid();
    }

    public String output() {
        return read(output);
    }

    /** Standard error, of a process started {@link #startApart}. */
    public String errors() {
        if (errors == null) {
            throw new IllegalStateException("standard error is in output(): start the process apart");
        }
        return read(errors);
    }

    /** Everything it printed, for a failure's message. */
    private String printed() {
        return errors == null ? output() : output() + "\n(standard error:)\n" + errors();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the process has printed {@code text}; fails with its output if it exits or time runs out. */
    public void awaitOutput(String text, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!output().contains(text)) {
            if (!process.isAlive()) {
                throw new AssertionError("process exited with " + process.exitValue() + " before printing '" + text
                        + "':\n" + printed());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + text + "' within " + timeout + ":\n" + printed());
            }
            sleep(20);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Sends SIGTERM. */
    public void terminate() {
        process.destroy();
    }

    public void signal(String name) {
        try {
            new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                    .inheritIO()
                    .start()
                    .waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("process still running after " + timeout + ":\n" + printed());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
