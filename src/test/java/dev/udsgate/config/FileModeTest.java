package dev.udsgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FileModeTest {

    @Test
    void parsesOctalAsChmodDoes() {
        assertThat(FileMode.parse("0660").bits()).isEqualTo(0660);
        assertThat(FileMode.parse("660").bits()).isEqualTo(0660);
        assertThat(FileMode.parse("0o600").bits()).isEqualTo(0600);
        assertThat(FileMode.parse("0").bits()).isZero();
    }

    @Test
    void showsItselfAsStatAndLsDo() {
        assertThat(FileMode.parse("0660").octal()).isEqualTo("0660");
        assertThat(FileMode.parse("0660").symbolic()).isEqualTo("rw-rw----");
        assertThat(FileMode.parse("0751").symbolic()).isEqualTo("rwxr-x--x");
        assertThat(FileMode.of(FileMode.parse("0640").permissions())).isEqualTo(FileMode.parse("0640"));
    }

    @Test
    void refusesWhatIsNotPermissionBits() {
        assertThatThrownBy(() -> FileMode.parse("0999")).hasMessageContaining("octal");
        assertThatThrownBy(() -> FileMode.parse("rw-rw----")).hasMessageContaining("octal");
        assertThatThrownBy(() -> FileMode.parse("")).hasMessageContaining("octal");
        assertThatThrownBy(() -> FileMode.parse("4755")).hasMessageContaining("setuid");
    }
}
