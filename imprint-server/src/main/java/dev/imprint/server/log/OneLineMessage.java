package dev.imprint.server.log;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.imprint.pki.LogSafe;

/**
 * {@code %msg} of the server's log pattern, kept to one line whatever a message holds (CR, LF
 * and the other control characters escaped, {@link LogSafe#oneLine}). The net under the call
 * sites: they escape the network values they log ({@link LogSafe#of}: quotes, length), and this
 * makes a forged line impossible even where one was missed. Stack traces come from
 * {@code %xThrowable}, not from here, and stay multi-line.
 */
public final class OneLineMessage extends MessageConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return LogSafe.oneLine(event.getFormattedMessage());
    }
}
