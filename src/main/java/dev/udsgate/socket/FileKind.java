package dev.udsgate.socket;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** The file type bits of {@code st_mode}, as {@code ls -l} shows them in its first column. */
enum FileKind {
    SOCKET(0140000, 's', "a socket"),
    SYMBOLIC_LINK(0120000, 'l', "a symbolic link"),
    REGULAR_FILE(0100000, '-', "a regular file"),
    BLOCK_DEVICE(0060000, 'b', "a block device"),
    DIRECTORY(0040000, 'd', "a folder"),
    CHARACTER_DEVICE(0020000, 'c', "a character device"),
    FIFO(0010000, 'p', "a named pipe"),
    UNKNOWN(-1, '?', "of an unknown kind");

    private static final int S_IFMT = 0170000;

    final int typeBits;
    final char letter;
    final String description;

    FileKind(int typeBits, char letter, String description) {
        this.typeBits = typeBits;
        this.letter = letter;
        this.description = description;
    }

    static FileKind ofMode(int stMode) {
        int type = stMode & S_IFMT;
        for (FileKind kind : values()) {
            if (kind.typeBits == type) {
                return kind;
            }
        }
        return UNKNOWN;
    }

    /** The kind of the file at {@code path} itself (links are not followed); UNKNOWN if unreadable. */
    static FileKind of(Path path) {
        try {
            return ofMode((Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return UNKNOWN;
        }
    }
}
