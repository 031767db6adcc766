package dev.udsgate.socket;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The C library calls socket activation needs, bound with JNA's direct mapping as in the peer
 * package: the JDK can neither inspect a bare descriptor nor change the process's environment.
 * Each call throws {@link LastErrorException} with {@code errno} when it fails.
 */
final class LibC {

    static final int EBADF = 9;
    static final int ENOTSOCK = 88;

    static final int SOL_SOCKET = 1;
    static final int SO_TYPE = 3;
    static final int SO_ACCEPTCONN = 30;
    static final int SO_DOMAIN = 39;

    static final int AF_UNIX = 1;
    static final int SOCK_STREAM = 1;

    static final int F_GETFD = 1;
    static final int F_SETFD = 2;
    static final int FD_CLOEXEC = 1;

    static {
        Native.register(NativeLibrary.getInstance("c"));
    }

    private LibC() {}

    /** Loads the library; throws (UnsatisfiedLinkError and the like) where native access is not to be had. */
    static void load() {}

    static native int getsockopt(int fd, int level, int name, int[] value, int[] length) throws LastErrorException;

    /** {@code fcntl(fd, cmd, arg)} with an int argument (F_GETFD, F_SETFD). */
    static native int fcntl(int fd, int cmd, int arg) throws LastErrorException;

    static native int unsetenv(String name) throws LastErrorException;
}
