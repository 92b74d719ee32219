package dev.imprint.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;

/** Twins in {@code hub_twins}; a patch is read, merged (RFC 7396) and written in one transaction. */
final class JdbcTwinStore implements TwinStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Db db;

    JdbcTwinStore(Db db) {
        this.db = db;
    }

    @Override
    public TwinRecord get(String deviceId) {
        return db.read("reading the twin of " + deviceId, c -> read(c, deviceId, ""));
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
        ObjectNode patch = object(patchJson);
        return db.write("patching the twin of " + deviceId, c -> {
            TwinRecord t = read(c, deviceId, db.dialect.forUpdate);
            String d = t.desired();
            String r = t.reported();
            long dv = t.desiredVersion();
            long rv = t.reportedVersion();
            if (desired) {
                d = merge(d, patch);
                dv++;
            } else {
                r = merge(r, patch);
                rv++;
            }
            Instant now = Instant.now();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO hub_twins (device_id, desired, desired_version, reported,"
                    + " reported_version, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET"
                    + " desired = excluded.desired, desired_version = excluded.desired_version, reported = excluded.reported,"
                    + " reported_version = excluded.reported_version, updated_at = excluded.updated_at")) {
                JdbcCertificateStore.bind(ps, deviceId, d, dv, r, rv, now.toEpochMilli());
                ps.executeUpdate();
            }
            return new TwinRecord(deviceId, d, dv, r, rv, now);
        });
    }

    private static TwinRecord read(Connection c, String deviceId, String forUpdate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT desired, desired_version, reported, reported_version, updated_at"
                + " FROM hub_twins WHERE device_id = ?" + forUpdate)) {
            ps.setString(1, deviceId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? new TwinRecord(deviceId, rs.getString(1), rs.getLong(2), rs.getString(3), rs.getLong(4), Instant.ofEpochMilli(rs.getLong(5)))
                        : TwinRecord.empty(deviceId);
            }
        }
    }

    private static ObjectNode object(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            if (n instanceof ObjectNode o) {
                return o;
            }
        } catch (JsonProcessingException | IllegalArgumentException e) {
            // reported below
        }
        throw new IllegalArgumentException("a twin patch must be a JSON object");
    }

    /** RFC 7396 JSON merge patch; members starting with '$' (versions, metadata) are never stored. */
    static String merge(String targetJson, ObjectNode patch) {
        ObjectNode target = object(targetJson);
        mergeInto(target, patch);
        return target.toString();
    }

    private static void mergeInto(ObjectNode target, ObjectNode patch) {
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().startsWith("$")) {
                continue;
            }
            JsonNode v = e.getValue();
            if (v.isNull()) {
                target.remove(e.getKey());
            } else if (v.isObject() && target.get(e.getKey()) instanceof ObjectNode existing) {
                mergeInto(existing, (ObjectNode) v);
            } else {
                target.set(e.getKey(), v.deepCopy());
            }
        }
    }
}
