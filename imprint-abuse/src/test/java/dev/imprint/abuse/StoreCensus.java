package dev.imprint.abuse;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Row counts of the store's tables an attacker must not be able to write to, read straight from
 * the SQLite file (a second, read-only connection): certificates, the audit log, registration
 * history, devices, stations, the ledger, DPS operations, and telemetry of anyone but the
 * bystander (whose own telemetry is supposed to grow).
 */
final class StoreCensus {
    private static final Map<String, String> COUNTS = new LinkedHashMap<>();

    static {
        COUNTS.put("certificates", "SELECT count(*) FROM certificates");
        COUNTS.put("audit", "SELECT count(*) FROM audit_log");
        COUNTS.put("registrationHistory", "SELECT count(*) FROM registration_events");
        COUNTS.put("devices", "SELECT count(*) FROM devices");
        COUNTS.put("stations", "SELECT count(*) FROM stations");
        COUNTS.put("ledger", "SELECT count(*) FROM ledger");
        COUNTS.put("dpsOperations", "SELECT count(*) FROM dps_operations");
        COUNTS.put("otherTelemetry", "SELECT coalesce(sum(message_count), 0) FROM hub_telemetry_chunks WHERE device_id <> 'bystander'");
    }

    private StoreCensus() {}

    static Map<String, Long> take(Path data) {
        Map<String, Long> m = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("imprint.db") + "?open_mode=1");
                Statement s = c.createStatement()) {
            for (Map.Entry<String, String> e : COUNTS.entrySet()) {
                try (ResultSet r = s.executeQuery(e.getValue())) {
                    r.next();
                    m.put(e.getKey(), r.getLong(1));
                }
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot read the store: " + e.getMessage(), e);
        }
        return m;
    }

    /** What grew from {@code before} to {@code after} (name to rows added). */
    static Map<String, Long> growth(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> g = new LinkedHashMap<>();
        after.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d != 0) {
                g.put(k, d);
            }
        });
        return g;
    }
}
