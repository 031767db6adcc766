package dev.udsgate.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserDirectoryTest {

    @TempDir
    Path dir;

    @Test
    void namesGetTheirNumbersAndNumbersStayNameless() throws Exception {
        Path passwd = Files.writeString(
                dir.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n");
        Path group = Files.writeString(dir.resolve("group"), "root:x:0:\nstaff:x:50:alice\n");
        UserDirectory directory = new UserDirectory(passwd, group);

        assertThat(directory.user("alice")).isEqualTo(new Principal("alice", 1000L));
        assertThat(directory.group("staff")).isEqualTo(new Principal("staff", 50L));
        assertThat(directory.user("12345")).isEqualTo(new Principal(null, 12345L));
        assertThat(directory.user("ldap-only")).isEqualTo(new Principal("ldap-only", null));
        assertThat(directory.spellingsOfUser("0")).containsExactlyInAnyOrder("0", "root");
        assertThat(directory.spellingsOfUser("alice")).containsExactlyInAnyOrder("alice", "1000");
    }

    @Test
    void aChangedFileIsReadAgain() throws Exception {
        Path passwd = Files.writeString(dir.resolve("passwd"), "bob:x:1001:1001::/:/bin/sh\n");
        Path group = Files.writeString(dir.resolve("group"), "");
        UserDirectory directory = new UserDirectory(passwd, group);
        assertThat(directory.user("carol").id()).isNull();

        Files.writeString(passwd, "bob:x:1001:1001::/:/bin/sh\ncarol:x:1002:1002::/:/bin/sh\n");
        Files.setLastModifiedTime(
                passwd, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        Thread.sleep(1100); // the files are looked at no more than once a second

        assertThat(directory.user("carol").id()).isEqualTo(1002L);
    }

    @Test
    void aFileReplacedByAnotherOfTheSameSizeAndTimeIsReadAgain() throws Exception {
        Path passwd = Files.writeString(dir.resolve("passwd"), "dave:x:1003:1003::/:/bin/sh\n");
        Path group = Files.writeString(dir.resolve("group"), "");
        UserDirectory directory = new UserDirectory(passwd, group);
        assertThat(directory.userById(1003)).isEqualTo(new Principal("dave", 1003L));

        // As vipw and useradd do: a new file renamed over the old one (a new inode).
        Path next = Files.writeString(dir.resolve("passwd.new"), "erin:x:1003:1003::/:/bin/sh\n");
        Files.setLastModifiedTime(next, Files.getLastModifiedTime(passwd));
        Files.move(
                next,
                passwd,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Thread.sleep(1100);

        assertThat(directory.userById(1003)).isEqualTo(new Principal("erin", 1003L));
    }

    @Test
    void aListedIdIsTheSamePrincipalAtEveryLookUpAndAnUnlistedOneIsNameless() throws Exception {
        Path passwd = Files.writeString(dir.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n");
        UserDirectory directory = new UserDirectory(passwd, dir.resolve("no-such-group-file"));

        assertThat(directory.userById(0)).isSameAs(directory.userById(0));
        assertThat(directory.userById(4_000_000_000L)).isEqualTo(new Principal(null, 4_000_000_000L));
        assertThat(directory.groupById(0)).isEqualTo(new Principal(null, 0L));
    }
}
