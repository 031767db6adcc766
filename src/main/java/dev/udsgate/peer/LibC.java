package dev.udsgate.peer;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The few C library calls the peer reader makes, bound with JNA's direct mapping: primitive
 * arguments and arrays only, about 0.7 µs a call here, against 3–4 µs through an interface proxy
 * (FIELD-NOTES) and 12–24 µs for the JDK's own {@code SO_PEERCRED} (which resolves names).
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

    static native int getsockopt(int fd, int level, int name, int[] value, int[] length);

    static native int close(int fd);
}
