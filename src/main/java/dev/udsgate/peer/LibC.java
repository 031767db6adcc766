package dev.udsgate.peer;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The few C library calls the peer reader makes, bound with JNA's direct mapping: primitive
 * arguments only (memory is passed by address, see {@link SocketOptionBuffer}), about 0.75 µs a
 * {@code getsockopt} here, against 3–4 µs through an interface proxy (FIELD-NOTES) and 15 µs for
 * the JDK's own {@code SO_PEERCRED} (which resolves names).
 */
final class LibC {

    static final int SOL_SOCKET = 1;
    static final int SO_PEERCRED = 17;
    /** Linux 6.5+: a pidfd for the peer's process, which stays that process's whatever its pid becomes. */
    static final int SO_PEERPIDFD = 77;

    static {
        Native.register(NativeLibrary.getInstance("c"));
    }

    private LibC() {}

    /** Loads the library; throws (UnsatisfiedLinkError and the like) where native access is not to be had. */
    static void load() {}

    /** @param value the address of the option's value; {@code length} that of its length, in and out */
    static native int getsockopt(int fd, int level, int name, long value, long length);

    static native int close(int fd);
}
