package dev.udsgate.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.udsgate.config.RouteDocument;
import dev.udsgate.config.StateFileException;
import dev.udsgate.http.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The routes changed over the API, kept on disk so that a restart, or a crash, loses none: for each
 * route name, its document, or null where the API deleted a configured route. Written whole and
 * atomically: a temporary file in the same folder, flushed to disk, renamed over the old one, and
 * the folder flushed too; a crash leaves either the old file or the new one, never half of one.
 */
final class RouteStore {

    private final Path file;
    private final ObjectMapper json = Json.mapper();

    RouteStore(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /**
     * Fails unless the file's folder exists and may be written: checked at start, as the socket's
     * folder is, so that a typo in the path is found then and not at the first change.
     *
     * @throws StateFileException naming the path and what to do
     */
    void checkFolder() {
        Path folder = file.toAbsolutePath().getParent();
        String problem = !Files.exists(folder)
                ? "folder " + folder + " does not exist"
                : !Files.isDirectory(folder)
                        ? folder + " is not a folder"
                        : !Files.isWritable(folder) ? "folder " + folder + " is not writable by this user" : null;
        if (problem != null) {
            throw new StateFileException(
                    "cannot keep routes in " + file + ": " + problem + "; create it or choose another --state-file");
        }
    }

    /** Why a write failed, in words: the JDK's exceptions name only a path. */
    String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "folder " + file.toAbsolutePath().getParent() + " does not exist";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** What the API changed, in order; empty when there is no file yet. */
    Map<String, RouteDocument> load() throws IOException {
        try {
            State state = json.readValue(Files.readAllBytes(file), State.class);
            return state.routes() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(state.routes());
        } catch (NoSuchFileException e) {
            return new LinkedHashMap<>();
        }
    }

    void save(Map<String, RouteDocument> changes) throws IOException {
        byte[] bytes = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(new State(1, changes));
        Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(
                temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        try {
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
        syncFolder();
    }

    /** The rename is durable only once the folder's entry is on disk. */
    private void syncFolder() throws IOException {
        try (FileChannel folder = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            folder.force(true);
        }
    }

    /** The file's shape, versioned for the next change of it. */
    record State(int version, Map<String, RouteDocument> routes) {}
}
