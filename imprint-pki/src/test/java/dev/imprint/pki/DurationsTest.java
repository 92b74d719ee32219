package dev.imprint.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
    @ParameterizedTest
    @CsvSource({"20s,20", "15m,900", "2h,7200", "30d,2592000", "30,30", " 45 ,45", "10 S,10", "0,0", "1500ms,1.5"})
    void reads_every_unit_and_plain_seconds(String text, double seconds) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(Math.round(seconds * 1000)));
    }

    @ParameterizedTest
    @CsvSource({"30,30", "12h,0.5", "45s,0.000520833333"})
    void a_plain_number_takes_the_unit_of_the_key(String text, double days) {
        assertThat(Durations.parse(text, ChronoUnit.DAYS).toMillis()).isCloseTo(Math.round(days * 86_400_000), org.assertj.core.data.Offset.offset(1L));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "-5s", "1.5m", "10 minutes", "5w", "3s4", "P1D", "99999999999999d"})
    void refuses_garbage_naming_the_accepted_forms(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a duration")
                .hasMessageContaining("20s, 15m, 2h, 30d")
                .hasMessageContaining("plain number of seconds");
    }

    @ParameterizedTest
    @ValueSource(strings = {"30d", "90m", "45s", "1500ms", "0s", "2h"})
    void format_reads_back(String text) {
        assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
    }
}
