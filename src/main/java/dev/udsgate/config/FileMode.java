package dev.udsgate.config;

import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * Permission bits of a file, {@code 0000} to {@code 0777}. Set-id and sticky bits are refused: they
 * mean nothing on a socket and would only hide a typo.
 */
public record FileMode(int bits) {

    public static final FileMode DEFAULT_SOCKET_MODE = new FileMode(0660);

    private static final PosixFilePermission[] BY_BIT = {
        PosixFilePermission.OTHERS_EXECUTE,
        PosixFilePermission.OTHERS_WRITE,
        PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.GROUP_WRITE,
        PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE,
        PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.OWNER_READ,
    };

    public FileMode {
        if (bits < 0 || bits > 0777) {
            throw new IllegalArgumentException(
                    "mode must be between 0000 and 0777, got " + Integer.toOctalString(bits));
        }
    }

    /** Parses an octal mode as chmod takes it: {@code 660}, {@code 0660} or {@code 0o660}. */
    public static FileMode parse(String text) {
        String digits = text.strip();
        if (digits.startsWith("0o") || digits.startsWith("0O")) {
            digits = digits.substring(2);
        }
        if (digits.isEmpty() || digits.length() > 4 || !digits.chars().allMatch(c -> c >= '0' && c <= '7')) {
            throw new IllegalArgumentException(
                    "mode must be octal permission bits such as 0660 or 0600, got '" + text + "'");
        }
        int bits = Integer.parseInt(digits, 8);
        if (bits > 0777) {
            throw new IllegalArgumentException(
                    "mode " + text + " sets setuid, setgid or sticky bits; only 0000 to 0777 is allowed");
        }
        return new FileMode(bits);
    }

    public static FileMode of(Set<PosixFilePermission> permissions) {
        int bits = 0;
        for (int i = 0; i < BY_BIT.length; i++) {
            if (permissions.contains(BY_BIT[i])) {
                bits |= 1 << i;
            }
        }
        return new FileMode(bits);
    }

    /** The permissions both modes give: never wider than either. */
    public FileMode intersect(FileMode other) {
        return new FileMode(bits & other.bits);
    }

    public Set<PosixFilePermission> permissions() {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < BY_BIT.length; i++) {
            if ((bits & (1 << i)) != 0) {
                permissions.add(BY_BIT[i]);
            }
        }
        return permissions;
    }

    /** Four octal digits, as {@code stat -c %a} would print with a leading zero: {@code "0660"}. */
    public String octal() {
        return String.format("%04o", bits);
    }

    /** The nine permission characters as {@code ls -l} shows them: {@code "rw-rw----"}. */
    public String symbolic() {
        StringBuilder text = new StringBuilder(9);
        for (int shift = 6; shift >= 0; shift -= 3) {
            int triple = bits >> shift;
            text.append((triple & 4) != 0 ? 'r' : '-');
            text.append((triple & 2) != 0 ? 'w' : '-');
            text.append((triple & 1) != 0 ? 'x' : '-');
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return octal();
    }
}
