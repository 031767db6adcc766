package dev.udsgate.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.udsgate.config.FileMode;
import dev.udsgate.testing.SocketFixtures;
import dev.udsgate.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A root udsgate starts again and again in a folder another user ({@code nobody}) may write to,
 * while that user's {@link StartRacer} attacks every step of the start. Whatever it does, udsgate
 * never changes the mode of, links, publishes or removes anything but the socket it bound.
 */
class StartRaceTest {

    private static final Duration ATTACK = Duration.ofSeconds(5);
    private static final String SOCKET_NAME = "udsgate.sock";

    @TempDir
    Path tmp;

    Path victim;

    @BeforeEach
    void needRootAndAVictim() throws Exception {
        assumeTrue(SocketFixtures.isRoot(), "runs the racer as nobody, which needs root");
        assumeTrue(
                Files.isExecutable(Path.of("/usr/sbin/runuser")) || Files.isExecutable(Path.of("/sbin/runuser")),
                "needs runuser");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        victim = tmp.resolve("victim");
        Files.writeString(victim, "root's secret");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void aFolderOthersMayWriteIsRefusedWhileTheyAttack() throws Exception {
        Path folder = sharedFolder("777");
        Racer racer = Racer.start(tmp, folder, victim);

        List<String> refusals = new ArrayList<>();
        int started = 0;
        while (racer.isAlive()) {
            try (TestServer server =
                    TestServer.start(folder.resolve(SOCKET_NAME), FileMode.parse("0666"), Optional.empty())) {
                started++;
            } catch (ListenerStartException e) {
                refusals.add(e.getMessage());
            }
            assertVictimUntouched();
        }

        assertThat(started)
                .as("starts in a folder anyone may rename entries of")
                .isZero();
        assertThat(refusals)
                .isNotEmpty()
                .allSatisfy(message -> assertThat(message)
                        .contains("folder " + folder + " may be written by other users (mode 0777) and is not sticky"));
        racer.assertAttackedAndBaitIntact();
    }

    @Test
    void aStickyFolderOthersMayWriteCannotBeTurnedAgainstAnotherFile() throws Exception {
        Path folder = sharedFolder("1777");
        Path path = folder.resolve(SOCKET_NAME);
        Racer racer = Racer.start(tmp, folder, victim);

        int started = 0;
        while (racer.isAlive()) {
            try (TestServer server = TestServer.start(path, FileMode.parse("0666"), Optional.empty())) {
                started++;
                assertThat(SocketFixtures.isSocket(path))
                        .as("what udsgate published")
                        .isTrue();
                assertThat(server.gate().listeners().get(0).fileStatus())
                        .hasValueSatisfying(file -> assertThat(file.ours()).isTrue());
            } catch (ListenerStartException e) {
                // The racer's link was at the path: a clean refusal, and nothing of theirs touched.
                assertThat(e.getMessage()).startsWith("listener main: cannot listen on " + path + ": ");
            }
            assertVictimUntouched();
        }

        assertThat(started).as("starts that got their socket in place").isPositive();
        String report = racer.assertAttackedAndBaitIntact();
        assertThat(report)
                .contains("privateFoldersTaken=0")
                .contains("socketsSwapped=0")
                .contains("socketsMoved=0");
    }

    private Path sharedFolder(String octalMode) throws Exception {
        Path folder = Files.createDirectory(tmp.resolve("shared"));
        run("chmod", octalMode, folder.toString());
        return folder;
    }

    private void assertVictimUntouched() throws IOException {
        assertThat(SocketFixtures.permissions(victim)).as("the victim's mode").isEqualTo("rw-------");
        assertThat(Files.getAttribute(victim, "unix:uid", LinkOption.NOFOLLOW_LINKS))
                .isEqualTo(0);
        assertThat(Files.readString(victim)).isEqualTo("root's secret");
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).inheritIO().start();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command)).isZero();
    }

    /** {@link StartRacer} in a JVM of its own, as nobody. */
    private record Racer(Process process, Path folder, Path victim) {

        static Racer start(Path tmp, Path folder, Path victim) throws Exception {
            Path classes = Files.createDirectories(tmp.resolve("racer/dev/udsgate/socket"));
            try (InputStream racerClass = StartRacer.class.getResourceAsStream("StartRacer.class")) {
                Files.copy(racerClass, classes.resolve("StartRacer.class"));
            }
            run("chmod", "-R", "a+rX", tmp.resolve("racer").toString());
            Process process = new ProcessBuilder(
                            "runuser",
                            "-u",
                            "nobody",
                            "--",
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-XX:-UsePerfData",
                            "-cp",
                            tmp.resolve("racer").toString(),
                            StartRacer.class.getName(),
                            folder.toString(),
                            SOCKET_NAME,
                            victim.toString(),
                            Long.toString(ATTACK.toMillis()))
                    .redirectErrorStream(true)
                    .start();
            Racer racer = new Racer(process, folder, victim);
            racer.awaitBait();
            return racer;
        }

        boolean isAlive() {
            return process.isAlive();
        }

        private void awaitBait() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!Files.exists(folder.resolve("bait.txt")) && System.nanoTime() < deadline) {
                assertThat(process.isAlive()).as("the racer is running").isTrue();
                Thread.sleep(20);
            }
        }

        /** @return the racer's report of what it managed */
        String assertAttackedAndBaitIntact() throws Exception {
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String report = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.exitValue()).as(report).isZero();
            assertThat(report).containsPattern("rounds=[1-9][0-9]{3,}");
            Path decoy = folder.resolve(".udsgate-bait");
            assertThat(Files.readSymbolicLink(decoy.resolve("s"))).isEqualTo(victim);
            assertThat(Files.readString(folder.resolve("bait.txt"))).isEqualTo("nobody's");
            return report;
        }
    }
}
