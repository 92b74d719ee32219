package dev.imprint.abuse;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/**
 * The server's log lines as the tests see them: the last {@link #KEEP} messages (a flood writes
 * thousands, the test needs the recent ones) and a count of ERROR lines, which no abuse may cause.
 */
final class LogLines extends AppenderBase<ILoggingEvent> {
    static final int KEEP = 20_000;
    private final ConcurrentLinkedDeque<String> recent = new ConcurrentLinkedDeque<>();
    private final AtomicLong errors = new AtomicLong();
    private final ConcurrentLinkedDeque<String> errorLines = new ConcurrentLinkedDeque<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    static LogLines attach() {
        LogLines l = new LogLines();
        l.setContext(l.root.getLoggerContext());
        l.start();
        l.root.addAppender(l);
        return l;
    }

    void detach() {
        root.detachAppender(this);
        stop();
    }

    @Override
    protected void append(ILoggingEvent e) {
        String line = "level=" + e.getLevel() + " " + e.getFormattedMessage();
        recent.addLast(line);
        if (recent.size() > KEEP) {
            recent.pollFirst();
        }
        if (e.getLevel().isGreaterOrEqual(Level.ERROR)) {
            errors.incrementAndGet();
            errorLines.add(line);
        }
    }

    /** Whether a kept line contains every one of {@code parts}. */
    boolean has(String... parts) {
        return recent.stream().anyMatch(l -> List.of(parts).stream().allMatch(l::contains));
    }

    long errors() {
        return errors.get();
    }

    List<String> errorLines() {
        return List.copyOf(errorLines);
    }
}
