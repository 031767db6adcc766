package dev.udsgate.socket;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Set;

/**
 * Another user attacking udsgate's start, run as {@code nobody} by {@link StartRaceTest}: as fast
 * as it can, it renames udsgate's private folder and puts its own in its place, swaps whatever
 * socket was bound in a folder of its own for a link to the victim file, plants a link to the
 * victim at the socket path, and tries to move udsgate's socket away. It also leaves bait of its
 * own that udsgate must never touch. Prints how often each move worked, then exits.
 *
 * <p>Arguments: the socket's folder, the socket's file name, the victim file, how long to run (ms).
 */
public final class StartRacer {

    private static final String PRIVATE_PREFIX = ".udsgate-";

    private final Path folder;
    private final Path socket;
    private final Path victim;
    private final Set<Path> ours = new HashSet<>();
    private long rounds;
    private long privateFoldersTaken;
    private long socketsSwapped;
    private long linksPlanted;
    private long socketsMoved;

    private StartRacer(Path folder, String socketName, Path victim) {
        this.folder = folder;
        this.socket = folder.resolve(socketName);
        this.victim = victim;
    }

    public static void main(String[] args) throws Exception {
        StartRacer racer = new StartRacer(Path.of(args[0]), args[1], Path.of(args[2]));
        racer.layBait();
        long deadline = System.nanoTime() + Long.parseLong(args[3]) * 1_000_000L;
        while (System.nanoTime() < deadline) {
            racer.round();
        }
        System.out.printf(
                "rounds=%d privateFoldersTaken=%d socketsSwapped=%d linksPlanted=%d socketsMoved=%d%n",
                racer.rounds, racer.privateFoldersTaken, racer.socketsSwapped, racer.linksPlanted, racer.socketsMoved);
    }

    /** Files of this user's that must be there, unchanged, when the test ends. */
    private void layBait() throws IOException {
        Path decoy = Files.createDirectory(folder.resolve(PRIVATE_PREFIX + "bait"));
        Files.createSymbolicLink(decoy.resolve("s"), victim);
        Files.writeString(folder.resolve("bait.txt"), "nobody's");
    }

    private void round() {
        rounds++;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, PRIVATE_PREFIX + "*")) {
            for (Path entry : entries) {
                if (!ours.contains(entry) && !entry.getFileName().toString().equals(PRIVATE_PREFIX + "bait")) {
                    takePrivateFolder(entry);
                }
            }
        } catch (IOException e) {
            // the folder changed while listed
        }
        for (Path own : ours) {
            swapBoundSocket(own.resolve("s"));
        }
        if (rounds % 64 == 0) {
            plantLinkAtSocketPath();
        }
        moveSocketAway();
    }

    private void takePrivateFolder(Path entry) {
        try {
            Files.move(entry, folder.resolve(".moved-" + rounds));
            Files.createDirectory(
                    entry, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
            Files.setPosixFilePermissions(entry, PosixFilePermissions.fromString("rwxrwxrwx"));
            ours.add(entry);
            privateFoldersTaken++;
        } catch (IOException e) {
            // refused: not ours to rename
        }
    }

    private void swapBoundSocket(Path bound) {
        try {
            if (Files.exists(bound, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(bound)) {
                Files.delete(bound);
                Files.createSymbolicLink(bound, victim);
                socketsSwapped++;
            }
        } catch (IOException e) {
            // lost this one
        }
    }

    private void plantLinkAtSocketPath() {
        try {
            Files.createSymbolicLink(socket, victim);
            linksPlanted++;
            Thread.sleep(2);
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            // something is there
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void moveSocketAway() {
        try {
            if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(socket)) {
                Files.move(socket, folder.resolve(".taken-" + rounds));
                Files.createSymbolicLink(socket, victim);
                socketsMoved++;
            }
        } catch (IOException e) {
            // refused
        }
    }
}
