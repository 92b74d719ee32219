package dev.imprint.factory.line;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IdDefaultsTest {
    @Test
    void a_simple_pattern_gives_the_prefix_and_the_digits() {
        assertThat(IdDefaults.choose("line1", "DEV-[0-9]{6}", null, null).first()).isEqualTo("DEV-000000");
        assertThat(IdDefaults.choose("line1", "^dev\\.a-\\d{4}$", null, null).first()).isEqualTo("dev.a-0000");
        assertThat(IdDefaults.choose("line1", "dev-[0-9]+", null, null).first()).isEqualTo("dev-00000000");
    }

    @Test
    void the_operator_s_options_win_and_are_checked() {
        assertThat(IdDefaults.choose("line1", "DEV-[0-9]{6}", "DEV-", 6).first()).isEqualTo("DEV-000000");
        assertThatThrownBy(() -> IdDefaults.choose("line1", "DEV-[0-9]{6}", "X-", null))
                .hasMessageContaining("--id-prefix").hasMessageContaining("--id-digits").hasMessageContaining("X-000000");
    }

    @Test
    void a_pattern_it_cannot_read_keeps_the_old_defaults_when_they_fit_and_stops_when_not() {
        assertThat(IdDefaults.choose("line9", "line9-.*", null, null).first()).isEqualTo("line9-00000000");
        assertThatThrownBy(() -> IdDefaults.choose("line1", "(A|B)-[0-9]{3}", null, null)).hasMessageContaining("--id-prefix");
    }

    @Test
    void without_a_known_pattern_nothing_is_checked() {
        assertThat(IdDefaults.choose("line1", null, null, null).first()).isEqualTo("line1-00000000");
    }
}
