package dev.udsgate.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Names to numeric ids, from {@code /etc/passwd} and {@code /etc/group}. The JDK gives a peer's
 * user and group by name only; this adds the number. Re-read when a file changes.
 */
public final class UserDirectory {

    private static final long RECHECK_NANOS = 1_000_000_000L;

    private final IdFile users;
    private final IdFile groups;

    /** The largest uid or gid: ids are unsigned 32-bit numbers. */
    public static final long MAX_UID = 4_294_967_295L;

    public UserDirectory() {
        this(Path.of("/etc/passwd"), Path.of("/etc/group"));
    }

    UserDirectory(Path passwd, Path group) {
        this.users = new IdFile(passwd);
        this.groups = new IdFile(group);
    }

    /** The user as the JDK named it (a name, or a number when the uid has no name). */
    public Principal user(String nameOrNumber) {
        return principal(nameOrNumber, users);
    }

    public Principal group(String nameOrNumber) {
        return principal(nameOrNumber, groups);
    }

    /** A uid as read from the kernel, with its name when {@code /etc/passwd} has one. */
    public Principal userById(long uid) {
        return new Principal(users.nameOf(uid).orElse(null), uid);
    }

    public Principal groupById(long gid) {
        return new Principal(groups.nameOf(gid).orElse(null), gid);
    }

    /**
     * Every way a user may be spelt in the API: the name or uid given, and its counterpart when known,
     * so that {@code 0} and {@code root} find the same events.
     */
    public Set<String> spellingsOfUser(String nameOrNumber) {
        Set<String> spellings = new HashSet<>();
        spellings.add(nameOrNumber);
        Principal user = user(nameOrNumber);
        if (user.id() != null) {
            spellings.add(user.id().toString());
            users.nameOf(user.id()).ifPresent(spellings::add);
        }
        return spellings;
    }

    /** Whether {@code digits} is a number a uid or gid can be: Linux ids are unsigned 32-bit. */
    public static boolean isUid(String digits) {
        if (digits.isEmpty() || digits.length() > 10 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        return Long.parseLong(digits) <= MAX_UID;
    }

    private static Principal principal(String nameOrNumber, IdFile file) {
        if (isUid(nameOrNumber)) {
            return new Principal(null, Long.parseLong(nameOrNumber));
        }
        return new Principal(nameOrNumber, file.idOf(nameOrNumber));
    }

    /** One colon-separated database whose third field is the id: name:x:id:... */
    private static final class IdFile {
        private final Path path;
        private FileTime loadedVersion;
        private Map<String, Long> ids = Map.of();
        private Map<Long, String> names = Map.of();
        private long checkedAt;

        IdFile(Path path) {
            this.path = path;
        }

        synchronized Long idOf(String name) {
            return current().get(name);
        }

        synchronized Optional<String> nameOf(long id) {
            current();
            return Optional.ofNullable(names.get(id));
        }

        private Map<String, Long> current() {
            // A stat per new connection is waste: look at the file at most once a second.
            long now = System.nanoTime();
            if (loadedVersion != null && now - checkedAt < RECHECK_NANOS) {
                return ids;
            }
            checkedAt = now;
            try {
                FileTime version = Files.getLastModifiedTime(path);
                if (!version.equals(loadedVersion)) {
                    parse(Files.readAllLines(path));
                    loadedVersion = version;
                }
            } catch (IOException e) {
                // Unreadable: names stay without numbers.
            }
            return ids;
        }

        /** Both ways; an id listed under several names is named by the first, as getpwuid(3) does. */
        private void parse(List<String> lines) {
            Map<String, Long> byName = new HashMap<>();
            Map<Long, String> byId = new HashMap<>();
            for (String line : lines) {
                String[] fields = line.split(":", 4);
                if (fields.length >= 3 && !line.startsWith("#")) {
                    try {
                        long id = Long.parseLong(fields[2]);
                        byName.putIfAbsent(fields[0], id);
                        byId.putIfAbsent(id, fields[0]);
                    } catch (NumberFormatException e) {
                        // not an entry
                    }
                }
            }
            ids = Map.copyOf(byName);
            names = Map.copyOf(byId);
        }
    }
}
