package dev.imprint.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Enrollments in the {@code enrollments} table; the hub list is a JSON array in {@code hubs_json}. */
final class JdbcEnrollmentStore implements EnrollmentStore {
    private static final String COLUMNS = "name, kind, ca_pem, id_pattern, device_id, allocation, allocation_json,"
            + " hubs_json, tags_json, desired_json, reprovision, enabled, created_at, updated_at, aws_policy_json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Db db;

    JdbcEnrollmentStore(Db db) {
        this.db = db;
    }

    @Override
    public void add(EnrollmentRecord e) {
        try {
            db.update("adding enrollment " + e.name(), "INSERT INTO enrollments (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    e.name(), e.kind(), e.caPem(), e.idPattern(), e.deviceId(), e.allocation(), e.allocationJson(),
                    hubs(e.hubs()), e.tagsJson(), e.desiredJson(), e.reprovision(), e.enabled(),
                    e.createdAt().toEpochMilli(), e.updatedAt().toEpochMilli(), e.awsPolicyJson());
        } catch (Db.DuplicateKeyException x) {
            throw new StoreException("an enrollment named " + e.name()
                    + (e.deviceId() == null ? "" : " or for device " + e.deviceId()) + " exists", x.getCause());
        }
    }

    @Override
    public boolean update(EnrollmentRecord e) {
        try {
            return db.update("updating enrollment " + e.name(), "UPDATE enrollments SET kind = ?, ca_pem = ?, id_pattern = ?,"
                    + " device_id = ?, allocation = ?, allocation_json = ?, hubs_json = ?, tags_json = ?, desired_json = ?,"
                    + " reprovision = ?, enabled = ?, updated_at = ?, aws_policy_json = ? WHERE name = ?",
                    e.kind(), e.caPem(), e.idPattern(), e.deviceId(), e.allocation(), e.allocationJson(), hubs(e.hubs()),
                    e.tagsJson(), e.desiredJson(), e.reprovision(), e.enabled(), e.updatedAt().toEpochMilli(), e.awsPolicyJson(), e.name()) == 1;
        } catch (Db.DuplicateKeyException x) {
            throw new StoreException("an individual enrollment for device " + e.deviceId() + " exists", x.getCause());
        }
    }

    @Override
    public Optional<EnrollmentRecord> find(String name) {
        return query("finding enrollment " + name, " WHERE name = ?", name).stream().findFirst();
    }

    @Override
    public Optional<EnrollmentRecord> findIndividual(String deviceId) {
        return query("finding the enrollment of " + deviceId, " WHERE device_id = ?", deviceId).stream().findFirst();
    }

    @Override
    public List<EnrollmentRecord> list() {
        return query("listing enrollments", " ORDER BY name");
    }

    @Override
    public boolean setEnabled(String name, boolean enabled, Instant at) {
        return db.update("enabling enrollment " + name, "UPDATE enrollments SET enabled = ?, updated_at = ? WHERE name = ?",
                enabled, at.toEpochMilli(), name) == 1;
    }

    @Override
    public boolean remove(String name) {
        return db.update("removing enrollment " + name, "DELETE FROM enrollments WHERE name = ?", name) == 1;
    }

    private List<EnrollmentRecord> query(String what, String where, Object... args) {
        return db.list(what, "SELECT " + COLUMNS + " FROM enrollments" + where, JdbcEnrollmentStore::read, args);
    }

    private static String hubs(List<String> hubs) {
        try {
            return JSON.writeValueAsString(hubs);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("hub names cannot be written as JSON", e);
        }
    }

    private static EnrollmentRecord read(ResultSet rs) throws SQLException {
        List<String> hubs;
        try {
            hubs = JSON.readValue(rs.getString(8), new TypeReference<List<String>>() {});
        } catch (JsonProcessingException e) {
            throw new SQLException("enrollment " + rs.getString(1) + " has a malformed hub list", e);
        }
        return new EnrollmentRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), hubs, rs.getString(9), rs.getString(10), rs.getString(11),
                rs.getBoolean(12), Instant.ofEpochMilli(rs.getLong(13)), Instant.ofEpochMilli(rs.getLong(14)), rs.getString(15));
    }
}
