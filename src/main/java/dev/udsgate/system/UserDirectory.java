package dev.udsgate.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Users and groups by name and by id, from {@code /etc/passwd} and {@code /etc/group}: the kernel
 * gives a peer's uid and gid, the JDK's reader their names, and each is completed from here. Held
 * whole in memory (as large as the files) and re-read when a file changes.
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
        return users.principal(uid);
    }

    public Principal groupById(long gid) {
        return groups.principal(gid);
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

    /**
     * One colon-separated database whose third field is the id: name:x:id:... Read without a lock:
     * every accept looks its peer's uid and gid up here. The file is looked at (one {@code stat})
     * at most once a second, and read again when it is another file or was changed.
     */
    private static final class IdFile {
        private final Path path;
        private volatile Table table = Table.NEVER_READ;

        IdFile(Path path) {
            this.path = path;
        }

        Long idOf(String name) {
            return current().ids.get(name);
        }

        Optional<String> nameOf(long id) {
            Principal known = current().principals.get(id);
            return known == null ? Optional.empty() : Optional.of(known.name());
        }

        /** The same object for every look-up of a listed id: nothing is made per connection. */
        Principal principal(long id) {
            Principal known = current().principals.get(id);
            return known != null ? known : new Principal(null, id);
        }

        private Table current() {
            Table current = table;
            return System.nanoTime() - current.checkedAt < RECHECK_NANOS ? current : recheck();
        }

        private synchronized Table recheck() {
            Table current = table;
            long now = System.nanoTime();
            if (now - current.checkedAt < RECHECK_NANOS) {
                return current; // another thread looked meanwhile
            }
            Table next;
            try {
                BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
                Version version = new Version(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
                next = version.equals(current.version)
                        ? current.checkedAt(now)
                        : Table.parse(Files.readAllLines(path), version, now);
            } catch (IOException | UncheckedIOException e) {
                next = current.checkedAt(now); // unreadable: what was known stays, names stay without numbers
            }
            table = next;
            return next;
        }
    }

    /** What tells one state of a file from another: an edit changes its time or size, a replacement its inode. */
    private record Version(FileTime modified, long size, Object fileKey) {}

    /**
     * One reading of a database, both ways; an id listed under several names is named by the first,
     * as getpwuid(3) does.
     */
    private record Table(Version version, Map<String, Long> ids, Map<Long, Principal> principals, long checkedAt) {
        static final Table NEVER_READ = new Table(null, Map.of(), Map.of(), System.nanoTime() - 2 * RECHECK_NANOS);

        Table checkedAt(long now) {
            return new Table(version, ids, principals, now);
        }

        static Table parse(List<String> lines, Version version, long now) {
            Map<String, Long> byName = new HashMap<>();
            Map<Long, Principal> byId = new HashMap<>();
            for (String line : lines) {
                String[] fields = line.split(":", 4);
                if (fields.length >= 3 && !line.startsWith("#")) {
                    try {
                        long id = Long.parseLong(fields[2]);
                        byName.putIfAbsent(fields[0], id);
                        byId.putIfAbsent(id, new Principal(fields[0], id));
                    } catch (NumberFormatException e) {
                        // not an entry
                    }
                }
            }
            return new Table(version, Map.copyOf(byName), Map.copyOf(byId), now);
        }
    }
}
