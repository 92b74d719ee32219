package dev.imprint.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * Twins in {@code hub_twins}: the classic shadow's row read through the Azure dialect. A patch is
 * read, merged (RFC 7396) and written in one transaction; it is also an accepted change of the
 * classic shadow (its version + 1, metadata stamped, a deleted shadow back).
 */
final class JdbcTwinStore implements TwinStore {
    private final Db db;
    private final ShadowStore shadows;

    JdbcTwinStore(Db db, ShadowStore shadows) {
        this.db = db;
        this.shadows = shadows;
    }

    @Override
    public TwinRecord get(String deviceId) {
        return db.read("reading the twin of " + deviceId, c -> {
            ShadowRecord s = JdbcShadowStore.read(c, deviceId, ShadowStore.CLASSIC, "");
            return s == null ? TwinRecord.empty(deviceId) : twin(s);
        });
    }

    @Override
    public TwinRecord patchDesired(String deviceId, String patchJson) {
        return patch(deviceId, patchJson, true);
    }

    @Override
    public TwinRecord patchReported(String deviceId, String patchJson) {
        return patch(deviceId, patchJson, false);
    }

    private TwinRecord patch(String deviceId, String patchJson, boolean desired) {
        ObjectNode patch;
        try {
            patch = ShadowJson.object(patchJson);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a twin patch must be a JSON object");
        }
        return shadows.update(deviceId, ShadowStore.CLASSIC, (s, named) -> {
            Instant now = Instant.now();
            ObjectNode section = ShadowJson.object(desired ? s.desired() : s.reported());
            ShadowJson.merge(section, patch);
            ObjectNode metadata = ShadowJson.object(s.metadata());
            ShadowJson.stamp(ShadowJson.section(metadata, desired ? "desired" : "reported"), patch, now.getEpochSecond());
            ShadowRecord next = new ShadowRecord(deviceId, ShadowStore.CLASSIC,
                    desired ? section.toString() : s.desired(), desired ? s.reported() : section.toString(), metadata.toString(),
                    s.version() + 1, true, now, s.desiredVersion() + (desired ? 1 : 0), s.reportedVersion() + (desired ? 0 : 1));
            return new ShadowStore.Outcome<>(next, twin(next));
        });
    }

    private static TwinRecord twin(ShadowRecord s) {
        return new TwinRecord(s.deviceId(), s.desired(), s.desiredVersion(), s.reported(), s.reportedVersion(), s.updatedAt());
    }
}
