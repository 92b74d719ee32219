package dev.imprint.server.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The server's log layout (logback.xml, as shipped) writes one line per event, whatever the message holds. */
class OneLineMessageTest {
    @Test
    void a_message_with_cr_lf_from_the_network_is_one_line_in_the_servers_log() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        OutputStreamAppender<?> err = (OutputStreamAppender<?>) root.getAppender("ERR");
        PatternLayoutEncoder encoder = (PatternLayoutEncoder) err.getEncoder();
        LoggingEvent e = new LoggingEvent(Logger.class.getName(), root, Level.INFO,
                "event=mqtt.disconnect client={} reason=X", null, new Object[] {"dev-1\r\n2026-12-06T00:00:00Z level=ERROR forged"});
        String line = new String(encoder.encode(e), StandardCharsets.UTF_8);
        assertThat(line.chars().filter(c -> c == '\n').count()).isEqualTo(1);
        assertThat(line).endsWith("forged reason=X" + System.lineSeparator()).contains("dev-1\\r\\n2026-12-06T00:00:00Z level=ERROR");
    }

    @Test
    void ordinary_messages_are_unchanged() {
        LoggingEvent e = new LoggingEvent("x", (Logger) LoggerFactory.getLogger("x"), Level.INFO, "event=ok msg=\"a b\"", null, null);
        assertThat(new OneLineMessage().convert(e)).isEqualTo("event=ok msg=\"a b\"");
    }
}
