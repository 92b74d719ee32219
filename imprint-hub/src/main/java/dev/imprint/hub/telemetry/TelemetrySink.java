package dev.imprint.hub.telemetry;

import dev.imprint.store.TelemetryRecord;

/**
 * Somewhere telemetry goes besides the store (a file, a webhook). {@link #offer} never blocks:
 * each sink has its own bounded queue and thread, and drops (and counts) what does not fit, so
 * a slow sink never slows devices or the other sinks.
 */
public interface TelemetrySink extends AutoCloseable {

    /** @return false when the message was dropped (queue full) */
    boolean offer(TelemetryRecord record);

    /** Messages dropped so far because the sink could not keep up. */
    long dropped();

    @Override
    void close();
}
