package dev.udsgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class ConvertersTest {

    private final Converters.Timeout timeout = new Converters.Timeout();

    @Test
    void durationsAsPeopleWriteThem() {
        assertThat(timeout.convert("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(timeout.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(timeout.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(timeout.convert("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(timeout.convert("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
        assertThat(timeout.convert("0s")).isEqualTo(Duration.ZERO);
    }

    @Test
    void anythingElseIsRefusedWithTheAcceptedForms() {
        for (String bad : new String[] {"soon", "10", "-5s", "PT-1S", "1d"}) {
            assertThatThrownBy(() -> timeout.convert(bad))
                    .isInstanceOf(TypeConversionException.class)
                    .hasMessageContaining("10s, 500ms");
        }
    }

    @Test
    void formatsBackForLogs() {
        assertThat(Converters.Timeout.format(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(Converters.Timeout.format(Duration.ofMillis(300))).isEqualTo("300ms");
    }
}
