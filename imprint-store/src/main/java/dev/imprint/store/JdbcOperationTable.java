package dev.imprint.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The SQL of {@code dps_operations} (migration V7), for {@link JdbcDeviceRegistry}. */
final class JdbcOperationTable {
    private static final String COLUMNS = "operation_id, registration_id, status, assigned_hub, device_id, substatus,"
            + " error_code, reason, error_message, payload_json, issued_chain, etag, created_at, updated_at, expires_at";
    private static final String FIND = "SELECT " + COLUMNS + " FROM dps_operations WHERE operation_id = ? AND expires_at >= ?";
    // a bounded delete on both dialects (PostgreSQL has no DELETE ... LIMIT); the index on expires_at serves the inner select
    private static final String REMOVE_EXPIRED = "DELETE FROM dps_operations WHERE operation_id IN"
            + " (SELECT operation_id FROM dps_operations WHERE expires_at < ? LIMIT ?)";

    private JdbcOperationTable() {}

    static void insert(Db db, Connection c, OperationRecord o) throws SQLException {
        db.inWrite(c, "INSERT INTO dps_operations (" + COLUMNS + ")"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ps -> {
            JdbcCertificateStore.bind(ps, o.operationId(), o.registrationId(), o.status(), o.assignedHub(), o.deviceId(),
                    o.substatus(), o.errorCode(), o.reason(), o.errorMessage(), o.payloadJson(),
                    o.issuedChain().isEmpty() ? null : String.join("\n", o.issuedChain()), o.etag(),
                    o.createdAt().toEpochMilli(), o.updatedAt().toEpochMilli(), o.expiresAt().toEpochMilli());
            return ps.executeUpdate();
        });
    }

    static Optional<OperationRecord> find(Db db, String operationId, Instant now) {
        return db.readCached("reading operation " + operationId, FIND, ps -> {
            ps.setString(1, operationId);
            ps.setLong(2, now.toEpochMilli());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        });
    }

    static int removeExpired(Db db, Instant now, int limit) {
        return db.update("removing expired operations", REMOVE_EXPIRED, now.toEpochMilli(), limit);
    }

    private static OperationRecord read(ResultSet rs) throws SQLException {
        String chain = rs.getString(11);
        List<String> issued = chain == null ? List.of() : Arrays.asList(chain.split("\n"));
        return new OperationRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getInt(7), rs.getString(8), rs.getString(9), rs.getString(10), issued, rs.getString(12),
                Instant.ofEpochMilli(rs.getLong(13)), Instant.ofEpochMilli(rs.getLong(14)), Instant.ofEpochMilli(rs.getLong(15)));
    }
}
