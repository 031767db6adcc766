package dev.udsgate.socket;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Bare descriptors made with the C library, to hand to the activation code as systemd would. */
final class RawSockets {

    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int SOCK_STREAM = 1;
    static final int SOCK_DGRAM = 2;
    static final int O_RDONLY = 0;
    private static final int SUN_PATH_OFFSET = 2;

    static {
        Native.register(NativeLibrary.getInstance("c"));
    }

    private RawSockets() {}

    static native int socket(int domain, int type, int protocol);

    static native int bind(int fd, byte[] address, int length);

    static native int listen(int fd, int backlog);

    static native int open(String path, int flags);

    static native int close(int fd);

    /** A Unix stream socket bound at {@code path}; listening if asked. */
    static int unixStream(Path path, boolean listening) {
        int fd = check(socket(AF_UNIX, SOCK_STREAM, 0), "socket");
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        byte[] address = new byte[SUN_PATH_OFFSET + name.length + 1];
        address[0] = AF_UNIX; // sa_family_t, little-endian
        System.arraycopy(name, 0, address, SUN_PATH_OFFSET, name.length);
        check(bind(fd, address, address.length), "bind");
        if (listening) {
            check(listen(fd, 16), "listen");
        }
        return fd;
    }

    static int check(int result, String call) {
        if (result < 0) {
            throw new IllegalStateException(call + " failed: errno " + Native.getLastError());
        }
        return result;
    }
}
