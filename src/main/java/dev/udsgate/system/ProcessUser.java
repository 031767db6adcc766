package dev.udsgate.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The user this process runs as. */
public final class ProcessUser {

    /** Root's uid, which the kernel lets do anything to any file. */
    public static final int ROOT_UID = 0;

    private static final int EFFECTIVE_UID = readEffectiveUid();

    private ProcessUser() {}

    /** The effective uid: the one the kernel checks file permissions against. */
    public static int effectiveUid() {
        return EFFECTIVE_UID;
    }

    /** The process's group, as a numeric id: the group a file it makes is given. */
    public static String groupId() {
        return Long.toString(new com.sun.security.auth.module.UnixSystem().getGid());
    }

    public static boolean isRoot() {
        return EFFECTIVE_UID == ROOT_UID;
    }

    private static int readEffectiveUid() {
        try {
            // /proc/self belongs to the process's effective user.
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return (int) new com.sun.security.auth.module.UnixSystem().getUid();
        }
    }
}
