package dev.imprint.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** Devices in {@code devices}, history in {@code registration_events}, DPS operations in {@code dps_operations}. */
final class JdbcDeviceRegistry implements DeviceRegistry {
    private static final String COLUMNS = "device_id, hub, enabled, enrollment, tags_json, desired_json, status, substatus,"
            + " cert_serial, version, created_at, updated_at";
    private static final String EVENT_COLUMNS = "seq, registration_id, at, status, substatus, hub, enrollment, cert_serial,"
            + " error_code, message";
    // One statement on both dialects: an upsert that bumps the version and keeps created_at.
    private static final String UPSERT = "INSERT INTO devices (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)"
            + " ON CONFLICT (device_id) DO UPDATE SET hub = excluded.hub, enabled = excluded.enabled,"
            + " enrollment = excluded.enrollment, tags_json = excluded.tags_json, desired_json = excluded.desired_json,"
            + " status = excluded.status, substatus = excluded.substatus, cert_serial = excluded.cert_serial,"
            + " version = devices.version + 1, updated_at = excluded.updated_at";

    private final Db db;

    JdbcDeviceRegistry(Db db) {
        this.db = db;
    }

    @Override
    public Optional<DeviceRecord> find(String deviceId) {
        return query("finding device " + deviceId, " WHERE device_id = ?", deviceId).stream().findFirst();
    }

    @Override
    public DeviceRecord save(DeviceRecord d, RegistrationEvent event, Function<DeviceRecord, OperationRecord> operation) {
        return db.write("saving device " + d.deviceId(), c -> {
            db.inWrite(c, UPSERT, ps -> {
                JdbcCertificateStore.bind(ps, d.deviceId(), d.hub(), d.enabled(), d.enrollment(), d.tagsJson(),
                        d.desiredJson(), d.status(), d.substatus(), d.certSerial(), d.createdAt().toEpochMilli(),
                        d.updatedAt().toEpochMilli());
                return ps.executeUpdate();
            });
            if (event != null) {
                insertEvent(db, c, event);
                if ("assigned".equals(event.status())) {
                    db.events.append(c, d.deviceId(), "registered", event.at(), JdbcDeviceEvents.detail().put("hub", event.hub())
                            .put("enrollment", event.enrollment()).put("substatus", event.substatus()).put("serial", event.certSerial()));
                }
            }
            DeviceRecord saved = db.inWrite(c, "SELECT " + COLUMNS + " FROM devices WHERE device_id = ?", ps -> {
                ps.setString(1, d.deviceId());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return read(rs);
                }
            });
            if (operation != null) {
                JdbcOperationTable.insert(db, c, operation.apply(saved));
            }
            return saved;
        });
    }

    @Override
    public boolean setEnabled(String deviceId, boolean enabled, Instant at) {
        return db.update("enabling device " + deviceId, "UPDATE devices SET enabled = ?, status = ?, version = version + 1,"
                + " updated_at = ? WHERE device_id = ?", enabled, enabled ? "assigned" : "disabled", at.toEpochMilli(), deviceId) == 1;
    }

    @Override
    public boolean remove(String deviceId) {
        return db.update("removing device " + deviceId, "DELETE FROM devices WHERE device_id = ?", deviceId) == 1;
    }

    @Override
    public List<DeviceRecord> list(String hub, int limit, int offset) {
        return hub == null
                ? query("listing devices", " ORDER BY device_id LIMIT ? OFFSET ?", limit, offset)
                : query("listing devices of " + hub, " WHERE hub = ? ORDER BY device_id LIMIT ? OFFSET ?", hub, limit, offset);
    }

    @Override
    public List<DeviceRecord> changedSince(Instant since, int limit) {
        return query("listing changed devices", " WHERE updated_at >= ? ORDER BY updated_at, device_id LIMIT ?",
                since.toEpochMilli(), limit);
    }

    @Override
    public long count() {
        return db.read("counting devices", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM devices"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public void recordEvent(RegistrationEvent event, OperationRecord operation) {
        db.write("recording a registration of " + event.registrationId(), c -> {
            insertEvent(db, c, event);
            if (operation != null) {
                JdbcOperationTable.insert(db, c, operation);
            }
            return null;
        });
    }

    @Override
    public Optional<OperationRecord> findOperation(String operationId, Instant now) {
        return JdbcOperationTable.find(db, operationId, now);
    }

    @Override
    public int removeExpiredOperations(Instant now, int limit) {
        return JdbcOperationTable.removeExpired(db, now, limit);
    }

    @Override
    public List<RegistrationEvent> history(String registrationId, int limit, int offset) {
        String where = registrationId == null ? "" : " WHERE registration_id = ?";
        Object[] args = registrationId == null ? new Object[] {limit, offset} : new Object[] {registrationId, limit, offset};
        return db.read("reading registration history", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + EVENT_COLUMNS + " FROM registration_events" + where
                    + " ORDER BY seq DESC LIMIT ? OFFSET ?")) {
                JdbcCertificateStore.bind(ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    List<RegistrationEvent> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(new RegistrationEvent(rs.getLong(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)),
                                rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                                rs.getString(9), rs.getString(10)));
                    }
                    return out;
                }
            }
        });
    }

    private static void insertEvent(Db db, Connection c, RegistrationEvent e) throws SQLException {
        db.inWrite(c, "INSERT INTO registration_events (registration_id, at, status,"
                + " substatus, hub, enrollment, cert_serial, error_code, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", ps -> {
            JdbcCertificateStore.bind(ps, e.registrationId(), e.at().toEpochMilli(), e.status(), e.substatus(), e.hub(),
                    e.enrollment(), e.certSerial(), e.errorCode(), e.message());
            return ps.executeUpdate();
        });
    }

    @Override
    public List<DeviceRecord> search(String idPrefix, int limit) {
        // the lower bound walks the primary key; SUBSTR, unlike LIKE, has no wildcards to escape and no case folding
        return query("searching devices by ID prefix", " WHERE device_id >= ? AND SUBSTR(device_id, 1, ?) = ? ORDER BY device_id LIMIT ?",
                idPrefix, idPrefix.length(), idPrefix, limit);
    }

    @Override
    public Tally tallyAfter(long afterSeq) {
        java.util.Map<String, Long> counts = new java.util.TreeMap<>();
        long[] last = {afterSeq};
        db.list("counting registrations", "SELECT MAX(seq), CASE WHEN status = 'assigned' THEN status ELSE COALESCE(error_code, status) END,"
                + " COUNT(*) FROM registration_events WHERE seq > ? GROUP BY 2", rs -> {
                    last[0] = Math.max(last[0], rs.getLong(1));
                    counts.put(rs.getString(2), rs.getLong(3));
                    return null;
                }, afterSeq);
        return new Tally(last[0], counts);
    }

    private List<DeviceRecord> query(String what, String where, Object... args) {
        return db.list(what, "SELECT " + COLUMNS + " FROM devices" + where, JdbcDeviceRegistry::read, args);
    }

    private static DeviceRecord read(ResultSet rs) throws SQLException {
        return new DeviceRecord(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getLong(10),
                Instant.ofEpochMilli(rs.getLong(11)), Instant.ofEpochMilli(rs.getLong(12)));
    }
}
