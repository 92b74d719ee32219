package dev.imprint.hub.telemetry;

import dev.imprint.store.TelemetryRecord;
import java.util.List;

/**
 * Writes batches of telemetry somewhere outside the hub (a file, a webhook). Driven either by a
 * {@link QueuedSink} (fed by the hub, best effort) or, with Kafka, by a consumer-group worker
 * that reads the telemetry topic and commits its offsets only after a batch was written.
 */
public interface TelemetryWriter extends AutoCloseable {

    /** Writes one batch, in order; throws when it was not (all) written. */
    void write(List<TelemetryRecord> batch) throws Exception;

    /** Called by a {@link QueuedSink}'s thread when nothing came for a fifth of a second: for work due by time. */
    default void idle() {}

    @Override
    default void close() {}
}
