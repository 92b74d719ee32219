package dev.imprint.hub.telemetry;

import dev.imprint.store.TelemetryRecord;
import java.util.concurrent.CompletableFuture;

/**
 * A sink that is the durable step: given among a hub's sinks, a QoS 1 PUBACK waits for it
 * instead of the SQL store, and the store keeps only a recent window ({@code
 * telemetryMaxRows}, 0 = nothing; of each batch at most the newest {@code NewestPerDevice.DEFAULT} (16)
 * messages per device) written best effort. The pipeline's writer thread calls
 * {@link #append} in arrival order, one message at a time.
 */
public interface TelemetryLog extends TelemetrySink {

    /**
     * Appends a message, keeping arrival order per device. The future completes once the log
     * holds it durably, or fails with {@link TelemetryPipeline.NotStored} (its reason ends the
     * device's session unacknowledged, so the device sends again). May block while the log's own
     * buffer is full.
     */
    CompletableFuture<Void> append(TelemetryRecord record);

    /**
     * {@link #append(TelemetryRecord)} completing the caller's own future, or none ({@code done}
     * null: nobody waits, as for QoS 0). A log may override it to spare the future and the stage
     * per message that the default makes.
     */
    default void append(TelemetryRecord record, CompletableFuture<Void> done) {
        CompletableFuture<Void> appended = append(record);
        if (done != null) {
            appended.whenComplete((v, x) -> {
                if (x == null) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(x);
                }
            });
        }
    }

    /** Best effort, as any sink: appended without waiting for the log. */
    @Override
    default boolean offer(TelemetryRecord record) {
        append(record, null);
        return true;
    }
}
