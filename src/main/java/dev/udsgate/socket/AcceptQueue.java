package dev.udsgate.socket;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * How many clients wait in a listening Unix socket's accept queue, counted from
 * {@code /proc/net/unix} without native code.
 *
 * <p>For each client that {@code connect()}s, the kernel makes a server-side socket at once, named
 * with the listener's bound path, and queues it until {@code accept()}. {@code /proc/net/unix}
 * lists it with state {@code 02} (a socket not yet accepted: {@code SS_CONNECTING} in the kernel's
 * {@code unix_seq_show}) until then, and {@code 03} after. Counting the {@code 02} lines of the
 * listener's path is what {@code ss -xl} shows as Recv-Q (it asks sock_diag for
 * {@code UNIX_DIAG_RQLEN}, which the JDK cannot).
 *
 * <p>What cannot be known: how many clients were turned away. When the queue holds backlog + 1,
 * a non-blocking {@code connect()} fails with EAGAIN and a blocking one waits; Linux counts
 * neither for AF_UNIX ({@code ListenOverflows} in {@code /proc/net/netstat} is TCP's only).
 *
 * <p>The file lists every Unix socket in the network namespace, so reading it costs time in
 * proportion (milliseconds for tens of thousands): call it off the request threads.
 */
public final class AcceptQueue {

    private static final Path PROC_NET_UNIX = Path.of("/proc/net/unix");
    private static final String NOT_YET_ACCEPTED = "02";
    /** Num RefCount Protocol Flags Type St Inode Path: the path is everything after the seventh field. */
    private static final int FIELDS_BEFORE_PATH = 7;

    private AcceptQueue() {}

    /** Clients waiting to be accepted on the socket bound at {@code boundPath}; empty if it cannot be read. */
    public static OptionalInt length(Path boundPath) {
        try (BufferedReader lines = Files.newBufferedReader(PROC_NET_UNIX, StandardCharsets.ISO_8859_1)) {
            return OptionalInt.of(count(lines, boundPath.toString()));
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }

    static int count(Reader procNetUnix, String boundPath) throws IOException {
        BufferedReader lines =
                procNetUnix instanceof BufferedReader buffered ? buffered : new BufferedReader(procNetUnix);
        int waiting = 0;
        lines.readLine(); // the header
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.endsWith(boundPath)) {
                String[] fields = line.strip().split("\\s+", FIELDS_BEFORE_PATH + 1);
                if (fields.length == FIELDS_BEFORE_PATH + 1
                        && fields[5].equals(NOT_YET_ACCEPTED)
                        && fields[FIELDS_BEFORE_PATH].equals(boundPath)) {
                    waiting++;
                }
            }
        }
        return waiting;
    }
}
