package dev.udsgate.reload;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads when the configuration file's content changes ({@code serve --watch-config}), started
 * and stopped with the server as one of its beans.
 *
 * <p>It watches folders, not the file: a Kubernetes ConfigMap volume never changes a file in place.
 * The file there is a symlink {@code config.yaml -> ..data/config.yaml}, and an update writes a new
 * {@code ..2026_x} folder, points a new {@code ..data_tmp} symlink at it and renames that over
 * {@code ..data}: the events name {@code ..data} and the folders, never {@code config.yaml}. So any
 * event in the file's folder (and in the folder of the file it resolves to, wherever that is) leads
 * to a look at the content. The look waits until the folder has been quiet for {@link #QUIET}, so a
 * burst of events (a swap, an editor's save) is one look, and it reloads only if the content's
 * SHA-256 differs from the last it saw: a touch or a swap to the same content reloads nothing.
 */
public final class ConfigWatcher extends AbstractLifeCycle {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);

    /** How long the folders must be quiet before the file is read: a ConfigMap swap is a few events in a few ms. */
    public static final Duration QUIET = Duration.ofMillis(200);

    private final Path file;
    private final Runnable reload;
    /** The content's digest at the last look; "absent" while there is no file to read. */
    private String seen;

    private WatchService watcher;
    private final Map<Path, WatchKey> watched = new HashMap<>();
    private Thread thread;

    /**
     * Reads the file's digest now, so that a change between the start's read of the file and this
     * watcher's start is still seen.
     *
     * @param reload what SIGHUP does: read the file again and apply it; it reports its own failures
     */
    public ConfigWatcher(Path file, Runnable reload) {
        this.file = file.toAbsolutePath();
        this.reload = reload;
        this.seen = digest(this.file);
    }

    @Override
    protected void doStart() throws IOException {
        watcher = FileSystems.getDefault().newWatchService();
        watchFolders();
        thread = new Thread(this::run, "udsgate-config-watcher");
        thread.setDaemon(true);
        thread.start();
        LOG.info("watching {} for changes", file);
    }

    @Override
    protected void doStop() throws Exception {
        watcher.close();
        thread.join(TimeUnit.SECONDS.toMillis(5));
    }

    private void run() {
        try {
            // The first look is for what changed since the constructor's read, once quiet like any other.
            while (true) {
                for (WatchKey key; (key = watcher.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS)) != null; ) {
                    key.pollEvents();
                    key.reset();
                }
                look();
                WatchKey key = watcher.take();
                key.pollEvents();
                key.reset();
            }
        } catch (ClosedWatchServiceException | InterruptedException stopped) {
            // stopped with the server
        }
    }

    /** Reads the content and reloads if it differs from the last look; then watches where the file now lives. */
    private void look() {
        String now = digest(file);
        if (!now.equals(seen)) {
            seen = now;
            LOG.info("{} changed: reading it again", file);
            try {
                reload.run();
            } catch (RuntimeException e) {
                LOG.warn("{} changed: the reload failed: {}", file, e.toString(), e);
            }
        }
        try {
            watchFolders();
        } catch (IOException e) {
            LOG.warn("watching {}: {}", file, e.toString());
        }
    }

    /**
     * The file's own folder, and the folder of what it resolves to: a ConfigMap's {@code ..2026_x},
     * replaced by each update, or the target of a symlink to another folder.
     */
    private void watchFolders() throws IOException {
        Set<Path> folders = new LinkedHashSet<>();
        folders.add(file.getParent());
        try {
            folders.add(file.toRealPath().getParent());
        } catch (NoSuchFileException gone) {
            // Nothing to resolve while it is missing: its own folder says when it is back.
        }
        watched.entrySet().removeIf(entry -> {
            boolean stale =
                    !folders.contains(entry.getKey()) || !entry.getValue().isValid();
            if (stale) {
                entry.getValue().cancel();
            }
            return stale;
        });
        for (Path folder : folders) {
            if (!watched.containsKey(folder)) {
                watched.put(
                        folder,
                        folder.register(
                                watcher,
                                StandardWatchEventKinds.ENTRY_CREATE,
                                StandardWatchEventKinds.ENTRY_DELETE,
                                StandardWatchEventKinds.ENTRY_MODIFY));
            }
        }
    }

    private static String digest(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchFileException e) {
            return "absent";
        } catch (IOException e) {
            // Unreadable: the reload will say why; until the content can be read, this is what it is.
            return "unreadable: " + e.getMessage();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "ConfigWatcher[" + file + "]";
    }
}
