package dev.udsgate.packaged;

import static org.assertj.core.api.Assertions.assertThat;

import dev.udsgate.testing.Api;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar as {@code java -jar} runs it, after {@code mvn package}: its manifest opens what the
 * native peer reader needs, and docker/cds-archive.sh (the Dockerfile's step) makes an archive the
 * jar then starts with.
 */
class PackagedJarIT {

    private static final Path JAR = Path.of("target/udsgate.jar");

    @TempDir
    Path dir;

    @Test
    void javaMinusJarReadsPeersNatively() throws Exception {
        Path socket = dir.resolve("udsgate.sock");
        Process server = java(List.of("-jar", JAR.toString(), "serve", "--socket", socket.toString()));
        try {
            awaitSocket(socket, server);
            Api.over(socket)
                    .get("/v1/info")
                    .then()
                    .statusCode(200)
                    .body("peerCredentials.source", org.hamcrest.Matchers.equalTo("native"));
        } finally {
            stop(server);
        }
    }

    @Test
    void theJarLogsItsOwnLinesOnlyWithNoWordFromTheLoggingLibraries() throws Exception {
        Path socket = dir.resolve("quiet.sock");
        Process server = java(List.of("-jar", JAR.toString(), "serve", "--socket", socket.toString()));
        try {
            awaitSocket(socket, server);
            Api.over(socket).get("/_ping").then().statusCode(200);
        } finally {
            stop(server);
        }
        // No "SLF4J: ..." about providers, no logback status lines: each line is ours.
        assertThat(Files.readString(dir.resolve("server.log")).lines())
                .isNotEmpty()
                .allSatisfy(line -> assertThat(line)
                        .matches("listening on unix:.*|\\S+Z (INFO |WARN ) dev\\.udsgate\\.\\S+ \\[.*"));
    }

    @Test
    void theDockerfilesCdsStepMakesAnArchiveTheJarStartsWith() throws Exception {
        Path archive = dir.resolve("udsgate.jsa");
        ProcessBuilder script = new ProcessBuilder("bash", "docker/cds-archive.sh", JAR.toString(), archive.toString())
                .redirectErrorStream(true);
        // The archive belongs to the JVM that made it: the one that will start with it.
        script.environment().put("JAVA", java());
        Process make = script.start();
        assertThat(make.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String made = new String(make.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(make.exitValue()).as(made).isZero();
        assertThat(Files.size(archive)).isPositive();

        Path socket = dir.resolve("cds.sock");
        Path log = dir.resolve("cds.log");
        Process server = new ProcessBuilder(
                        java(),
                        "-XX:SharedArchiveFile=" + archive,
                        "-Xlog:cds=info",
                        "-jar",
                        JAR.toString(),
                        "serve",
                        "--socket",
                        socket.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            awaitSocket(socket, server);
            Api.over(socket).get("/_ping").then().statusCode(200);
            assertThat(Files.readString(log)).contains("Mapped dynamic region");
        } finally {
            stop(server);
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private Process java(List<String> arguments) throws IOException {
        List<String> command = new java.util.ArrayList<>();
        command.add(java());
        command.addAll(arguments);
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile())
                .start();
    }

    private static void awaitSocket(Path socket, Process server) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(socket)) {
            assertThat(server.isAlive()).as("the server is running").isTrue();
            assertThat(System.nanoTime()).as("the socket appears within 30 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static void stop(Process server) throws InterruptedException {
        server.destroy();
        if (!server.waitFor(10, TimeUnit.SECONDS)) {
            server.destroyForcibly();
        }
    }
}
