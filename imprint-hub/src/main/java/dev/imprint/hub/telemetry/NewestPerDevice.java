package dev.imprint.hub.telemetry;

import dev.imprint.store.TelemetryRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of a batch the SQL window keeps when a {@link TelemetryLog} is the durable step: at
 * most the newest {@code perDevice} messages of each device, in arrival order. The window only
 * serves the console and {@code imprint telemetry} (a recent look, not the record: that is the
 * log), so under load it need not cost an insert per message; a device sending slowly (fewer
 * than {@code perDevice} messages per batch) still has every message in it. Used by the
 * pipeline's single writer thread: not thread-safe.
 */
final class NewestPerDevice {
    /** Messages per device and batch the window keeps by default. */
    static final int DEFAULT = 16;

    private final int perDevice;
    private final Map<String, int[]> left = new HashMap<>();
    private final List<TelemetryRecord> kept = new ArrayList<>();

    NewestPerDevice(int perDevice) {
        if (perDevice < 1) {
            throw new IllegalArgumentException("messages per device must be at least 1, not " + perDevice);
        }
        this.perDevice = perDevice;
    }

    /**
     * The batch's messages to keep, in the batch's order; {@code batch} itself when it keeps all
     * (no device has more than {@code perDevice} in it). The list returned otherwise is reused
     * by the next call.
     */
    List<TelemetryRecord> of(List<TelemetryRecord> batch) {
        if (batch.size() <= perDevice) {
            return batch;
        }
        left.clear();
        boolean over = false;
        for (TelemetryRecord r : batch) {
            over |= ++left.computeIfAbsent(r.deviceId(), d -> new int[1])[0] > perDevice;
        }
        if (!over) {
            return batch;
        }
        kept.clear();
        for (TelemetryRecord r : batch) {
            // the device's messages from this one to the batch's end, this one included
            if (left.get(r.deviceId())[0]-- <= perDevice) {
                kept.add(r);
            }
        }
        return kept;
    }
}
