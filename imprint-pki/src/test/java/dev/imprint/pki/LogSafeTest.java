package dev.imprint.pki;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogSafeTest {
    @Test
    void ordinary_ids_pass_unchanged() {
        assertThat(LogSafe.of("dev-0042")).isEqualTo("dev-0042");
        assertThat(LogSafe.token("devices/dev-1/messages/events/é")).isEqualTo("devices/dev-1/messages/events/é");
        assertThat(LogSafe.of(null)).isEqualTo("null");
    }

    @Test
    void line_breaks_and_control_characters_are_escaped() {
        assertThat(LogSafe.of("a\r\nlevel=ERROR\u0000\u001b[31m\u2028\u0085")).isEqualTo("a\\r\\nlevel=ERROR\\u0000\\u001b[31m\\u2028\\u0085");
    }

    @Test
    void quotes_and_backslashes_cannot_close_a_quoted_field() {
        assertThat(LogSafe.of("x\" forged=\"y\\")).isEqualTo("x\\\" forged=\\\"y\\\\");
    }

    @Test
    void token_escapes_what_would_start_a_new_field() {
        assertThat(LogSafe.token("dev-1 reason=OK")).isEqualTo("dev-1\\u0020reason\\u003dOK");
    }

    @Test
    void long_values_are_cut_with_a_note() {
        String s = LogSafe.of("a".repeat(3017));
        assertThat(s).startsWith("a".repeat(LogSafe.MAX_CHARS)).endsWith("...(+" + (3017 - LogSafe.MAX_CHARS) + " chars)");
        assertThat(LogSafe.of("\n".repeat(3017))).hasSize(2 * LogSafe.MAX_CHARS + "...(+2761 chars)".length());
    }

    @Test
    void one_line_escapes_only_what_breaks_a_line() {
        String m = "event=x msg=\"a \\ b\"\nlevel=ERROR" + "y".repeat(1000);
        assertThat(LogSafe.oneLine(m)).isEqualTo("event=x msg=\"a \\ b\"\\nlevel=ERROR" + "y".repeat(1000));
        assertThat(LogSafe.oneLine(null)).isNull();
    }
}
