package dev.udsgate.reload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What makes {@link ConfigWatcher} reload: a change of content, however the file is changed (a
 * ConfigMap's swap of its {@code ..data} symlink, an edit in place), once per burst; and what does
 * not: the same content again.
 */
@Timeout(30)
class ConfigWatcherTest {

    /** Long enough for inotify, the quiet period and the read; short enough for a test. */
    private static final Duration SETTLE = ConfigWatcher.QUIET.multipliedBy(5);

    @TempDir
    Path dir;

    private final AtomicInteger reloads = new AtomicInteger();
    private ConfigWatcher watcher;

    @AfterEach
    void stop() throws Exception {
        if (watcher != null) {
            watcher.stop();
        }
    }

    private void watch(Path file) throws Exception {
        watcher = new ConfigWatcher(file, reloads::incrementAndGet);
        watcher.start();
    }

    /** A ConfigMap volume as the kubelet makes it: {@code config.yaml -> ..data/config.yaml}, {@code ..data -> ..VERSION}. */
    private Path configMap(String version, String content) throws IOException {
        writeVersion(version, content);
        Files.createSymbolicLink(dir.resolve("..data"), Path.of(".." + version));
        return Files.createSymbolicLink(dir.resolve("config.yaml"), Path.of("..data/config.yaml"));
    }

    private void writeVersion(String version, String content) throws IOException {
        Path folder = Files.createDirectory(dir.resolve(".." + version));
        Files.writeString(folder.resolve("config.yaml"), content);
    }

    /** The kubelet's update: a new version, a new symlink renamed over {@code ..data}, the old version removed. */
    private void swap(String from, String to, String content) throws IOException {
        writeVersion(to, content);
        Path temporary = Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of(".." + to));
        Files.move(temporary, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
        Files.delete(dir.resolve(".." + from).resolve("config.yaml"));
        Files.delete(dir.resolve(".." + from));
    }

    private void awaitReloads(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (reloads.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(SETTLE.toMillis());
        assertThat(reloads.get()).isEqualTo(expected);
    }

    @Test
    void eachConfigMapSwapToNewContentIsOneReload() throws Exception {
        Path file = configMap("2026_01", "socket: /run/a.sock\n");
        watch(file);

        swap("2026_01", "2026_02", "socket: /run/b.sock\n");
        awaitReloads(1);
        swap("2026_02", "2026_03", "socket: /run/c.sock\n");
        awaitReloads(2);

        assertThat(Files.readString(file)).isEqualTo("socket: /run/c.sock\n");
    }

    @Test
    void aSwapToTheSameContentOrATouchReloadsNothing() throws Exception {
        Path file = configMap("2026_01", "socket: /run/a.sock\n");
        watch(file);

        swap("2026_01", "2026_02", "socket: /run/a.sock\n");
        Files.setLastModifiedTime(dir.resolve("..2026_02/config.yaml"), java.nio.file.attribute.FileTime.fromMillis(0));
        Thread.sleep(SETTLE.toMillis());

        assertThat(reloads.get()).isZero();
    }

    @Test
    void aBurstOfWritesToAPlainFileIsOneReload() throws Exception {
        Path file = Files.writeString(dir.resolve("udsgate.yaml"), "socket: /run/a.sock\n");
        watch(file);

        for (int i = 0; i < 5; i++) {
            Files.writeString(file, "socket: /run/b" + i + ".sock\n");
            Thread.sleep(ConfigWatcher.QUIET.toMillis() / 10);
        }
        awaitReloads(1);

        Files.writeString(file, "socket: /run/c.sock\n");
        awaitReloads(2);
    }

    @Test
    void aFileThatGoesAndComesBackIsReloadedEachTime() throws Exception {
        Path file = Files.writeString(dir.resolve("udsgate.yaml"), "socket: /run/a.sock\n");
        watch(file);

        Files.delete(file);
        awaitReloads(1);
        Files.writeString(file, "socket: /run/a.sock\n");
        awaitReloads(2);
    }
}
