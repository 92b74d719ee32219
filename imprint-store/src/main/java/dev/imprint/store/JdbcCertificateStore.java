package dev.imprint.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/** Certificates and revocations in the {@code certificates} table. */
final class JdbcCertificateStore implements CertificateStore {
    private static final String COLUMNS = "serial, ca, device_id, kind, not_before, not_after, key_fingerprint,"
            + " requested_by, issued_at, der, revoked_at, revocation_reason";
    private static final String INSERT = "INSERT INTO certificates (serial, ca, device_id, kind, not_before, not_after,"
            + " key_fingerprint, requested_by, issued_at, der) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String HAS_LIVE = "SELECT 1 FROM certificates WHERE device_id = ? AND kind = ?"
            + " AND revoked_at IS NULL AND not_before <= ? AND not_after > ? LIMIT 1";
    /** One bounded batch, so issuance never waits long behind the write lock (index certificates_device_expiry, V12). */
    private static final String PRUNE = "DELETE FROM certificates WHERE serial IN (SELECT serial FROM certificates"
            + " WHERE ca = ? AND kind = 'device' AND not_after < ? LIMIT ?) RETURNING revocation_seq";
    private static final String NEWEST_FIRST = " ORDER BY issued_at DESC, serial DESC";
    /** Rows fetched per round trip when streaming revocations (PostgreSQL cursor). */
    private static final int FETCH_SIZE = 1000;

    private final Db db;

    JdbcCertificateStore(Db db) {
        this.db = db;
    }

    @Override
    public void insertAll(List<CertificateRecord> records) {
        if (!records.isEmpty()) {
            insert(records, null);
        }
    }

    @Override
    public AuditEvent insertAll(List<CertificateRecord> records, AuditLog.Entry audit) {
        Objects.requireNonNull(audit, "audit entry");
        JdbcAuditLog.requireComplete(List.of(audit));
        return insert(records, audit);
    }

    @Override
    public Recorded insertAll(List<CertificateRecord> records, Set<String> soleLive,
            Function<List<CertificateRecord>, AuditLog.Entry> audit) {
        Objects.requireNonNull(audit, "audit entry");
        records.forEach(JdbcCertificateStore::requireComplete);
        return duplicatesAsSerials(() -> db.write("recording " + records.size() + " certificates", c -> {
            List<CertificateRecord> refused = SoleLiveCertificates.refused(c, db.dialect,
                    records.stream().filter(r -> soleLive.contains(r.serialHex())).toList(), Instant.now());
            Set<String> out = new HashSet<>();
            refused.forEach(r -> out.add(r.serialHex()));
            List<CertificateRecord> kept = out.isEmpty() ? records : records.stream().filter(r -> !out.contains(r.serialHex())).toList();
            if (kept.isEmpty()) {
                return new Recorded(null, refused);
            }
            AuditLog.Entry entry = audit.apply(kept);
            Objects.requireNonNull(entry, "audit entry");
            JdbcAuditLog.requireComplete(List.of(entry));
            insertRows(c, kept);
            return new Recorded(JdbcAuditLog.appendIn(c, db.dialect, List.of(entry)).get(0), refused);
        }));
    }

    /** The insert transaction; with {@code audit}, its entry is appended last in the same transaction. */
    private AuditEvent insert(List<CertificateRecord> records, AuditLog.Entry audit) {
        records.forEach(JdbcCertificateStore::requireComplete);
        return duplicatesAsSerials(() -> db.write("recording " + records.size() + " certificates", c -> {
            if (!records.isEmpty()) {
                insertRows(c, records);
            }
            return audit == null ? null : JdbcAuditLog.appendIn(c, db.dialect, List.of(audit)).get(0);
        }));
    }

    private static <T> T duplicatesAsSerials(Supplier<T> write) {
        try {
            return write.get();
        } catch (Db.DuplicateKeyException e) {
            throw new DuplicateSerialException("a serial of this batch is already recorded; nothing was written: "
                    + e.getMessage(), e.getCause());
        }
    }

    /** The rows and their device events, in the caller's transaction. */
    private void insertRows(Connection c, List<CertificateRecord> records) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (CertificateRecord r : records) {
                ps.setString(1, r.serialHex());
                ps.setString(2, r.ca());
                ps.setString(3, r.deviceId());
                ps.setString(4, r.kind());
                ps.setLong(5, r.notBefore().toEpochMilli());
                ps.setLong(6, r.notAfter().toEpochMilli());
                ps.setString(7, r.keyFingerprint());
                ps.setString(8, r.requestedBy());
                ps.setLong(9, r.issuedAt().toEpochMilli());
                ps.setBytes(10, r.der());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        issued(c, records);
    }

    /** Device certificates' events: {@code certificate.rotated} for a re-enrollment, else {@code certificate.issued}. */
    private void issued(java.sql.Connection c, List<CertificateRecord> records) throws java.sql.SQLException {
        for (CertificateRecord r : records) {
            if ("device".equals(r.kind())) {
                String type = r.requestedBy().startsWith("reenroll:") ? "certificate.rotated" : "certificate.issued";
                db.events.append(c, r.deviceId(), type, r.issuedAt(), JdbcDeviceEvents.detail().put("serial", r.serialHex())
                        .put("ca", r.ca()).put("notAfter", r.notAfter().toEpochMilli()).put("requestedBy", r.requestedBy()));
            }
        }
    }

    private static void requireComplete(CertificateRecord r) {
        Objects.requireNonNull(r, "certificate record");
        String missing = r.serialHex() == null ? "serialHex" : r.ca() == null ? "ca" : r.deviceId() == null ? "deviceId"
                : r.kind() == null ? "kind" : r.notBefore() == null ? "notBefore" : r.notAfter() == null ? "notAfter"
                : r.keyFingerprint() == null ? "keyFingerprint" : r.requestedBy() == null ? "requestedBy"
                : r.issuedAt() == null ? "issuedAt" : r.der() == null ? "der" : null;
        if (missing != null) {
            throw new IllegalArgumentException("certificate record " + r.serialHex() + " lacks " + missing);
        }
    }

    @Override
    public Optional<CertificateRecord> findBySerial(String serialHex) {
        return db.read("finding certificate " + serialHex, c -> {
            List<CertificateRecord> found = query(c, "SELECT " + COLUMNS + " FROM certificates WHERE serial = ?", serialHex);
            return found.stream().findFirst();
        });
    }

    @Override
    public List<CertificateRecord> findByDevice(String deviceId) {
        return db.read("finding certificates of " + deviceId, c -> query(c,
                "SELECT " + COLUMNS + " FROM certificates WHERE device_id = ?" + NEWEST_FIRST, deviceId));
    }

    @Override
    public List<CertificateRecord> findLive(String deviceId, String kind, Instant now) {
        long t = now.toEpochMilli();
        return db.read("finding live certificates of " + deviceId, c -> query(c,
                "SELECT " + COLUMNS + " FROM certificates WHERE device_id = ? AND kind = ? AND revoked_at IS NULL"
                        + " AND not_before <= ? AND not_after > ?" + NEWEST_FIRST, deviceId, kind, t, t));
    }

    @Override
    public boolean hasLive(String deviceId, String kind, Instant now) {
        long t = now.toEpochMilli();
        return db.readCached("checking for a live certificate of " + deviceId, HAS_LIVE, ps -> {
            bind(ps, deviceId, kind, t, t);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        });
    }

    @Override
    public List<CertificateRecord> list(String deviceId, int limit, int offset) {
        if (limit < 0 || offset < 0) {
            throw new IllegalArgumentException("limit and offset must not be negative");
        }
        return db.read("listing certificates", c -> deviceId == null
                ? query(c, "SELECT " + COLUMNS + " FROM certificates" + NEWEST_FIRST + " LIMIT ? OFFSET ?", limit, offset)
                : query(c, "SELECT " + COLUMNS + " FROM certificates WHERE device_id = ?" + NEWEST_FIRST
                        + " LIMIT ? OFFSET ?", deviceId, limit, offset));
    }

    @Override
    public Optional<RevokedEntry> revoke(String serialHex, int reason, Instant at) {
        checkReason(reason);
        return db.write("revoking " + serialHex, c -> revoke(c, serialHex, reason, at)).map(Revocation::entry);
    }

    /** The revocation and, when it is new, its device event, in the caller's transaction. */
    private Optional<Revocation> revoke(java.sql.Connection c, String serialHex, int reason, Instant at) throws java.sql.SQLException {
        Optional<Revocation> r = Revocations.revoke(c, db.dialect, serialHex, reason, at);
        if (r.isPresent() && r.get().fresh()) {
            db.events.revoked(c, r.get().entry());
        }
        return r;
    }

    @Override
    public Optional<Revocation> revoke(String serialHex, int reason, Instant at, AuditLog.Entry audit) {
        checkReason(reason);
        Objects.requireNonNull(audit, "audit entry");
        JdbcAuditLog.requireComplete(List.of(audit));
        return db.write("revoking " + serialHex, c -> {
            Optional<Revocation> r = revoke(c, serialHex, reason, at);
            if (r.isPresent() && r.get().fresh()) {
                JdbcAuditLog.appendIn(c, db.dialect, List.of(audit));
            }
            return r;
        });
    }

    @Override
    public List<Revocation> revokeAll(List<String> serialHexes, int reason, Instant at, AuditLog.Entry audit) {
        checkReason(reason);
        Objects.requireNonNull(audit, "audit entry");
        JdbcAuditLog.requireComplete(List.of(audit));
        return db.write("revoking " + serialHexes.size() + " certificates", c -> {
            List<Revocation> out = new ArrayList<>(serialHexes.size());
            boolean fresh = false;
            for (String serial : serialHexes) {
                Optional<Revocation> r = revoke(c, serial, reason, at);
                if (r.isPresent()) {
                    out.add(r.get());
                    fresh |= r.get().fresh();
                }
            }
            if (fresh) {
                JdbcAuditLog.appendIn(c, db.dialect, List.of(audit)); // last: the chain head is held only for the commit
            }
            return out;
        });
    }

    private static void checkReason(int reason) {
        if (reason < 0 || reason > 10 || reason == 7) {
            throw new IllegalArgumentException("not an RFC 5280 CRLReason code: " + reason);
        }
    }

    @Override
    public void forEachRevoked(String ca, long afterSeq, Consumer<RevokedEntry> sink) {
        db.snapshot("reading revocations of " + ca, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT revocation_seq, serial, revoked_at, revocation_reason"
                    + " FROM certificates WHERE ca = ? AND revocation_seq > ? ORDER BY revocation_seq")) {
                ps.setFetchSize(FETCH_SIZE);
                ps.setString(1, ca);
                ps.setLong(2, afterSeq);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        sink.accept(new RevokedEntry(rs.getLong(1), rs.getString(2),
                                Instant.ofEpochMilli(rs.getLong(3)), rs.getInt(4)));
                    }
                }
            }
            return null;
        });
    }

    @Override
    public long lastRevocationSeq(String ca) {
        return db.read("reading the revocation seq of " + ca, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT last_seq FROM revocation_counters WHERE ca = ?")) {
                ps.setString(1, ca);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }

    @Override
    public java.util.Map<String, Long> lastRevocationSeqs() {
        return db.read("reading the revocation seqs", c -> {
            java.util.Map<String, Long> seqs = new java.util.HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT ca, last_seq FROM revocation_counters");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    seqs.put(rs.getString(1), rs.getLong(2));
                }
            }
            return seqs;
        });
    }

    @Override
    public long count() {
        return db.read("counting certificates", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM certificates");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public Pruned pruneExpired(String ca, Instant expiredBefore, int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive");
        }
        return db.write("pruning expired certificates of " + ca, c -> {
            try (PreparedStatement ps = c.prepareStatement(PRUNE)) {
                bind(ps, ca, expiredBefore.toEpochMilli(), limit);
                int rows = 0;
                int revoked = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        rs.getLong(1);
                        revoked += rs.wasNull() ? 0 : 1;
                    }
                }
                return new Pruned(rows, revoked);
            }
        });
    }

    private static List<CertificateRecord> query(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            List<CertificateRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        }
    }

    static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) {
                ps.setNull(i + 1, Types.VARCHAR);
            } else {
                ps.setObject(i + 1, args[i]);
            }
        }
    }

    private static CertificateRecord read(ResultSet rs) throws SQLException {
        long revokedAt = rs.getLong("revoked_at");
        boolean revoked = !rs.wasNull();
        int reason = rs.getInt("revocation_reason");
        Integer revocationReason = rs.wasNull() ? null : reason;
        return new CertificateRecord(
                rs.getString("serial"),
                rs.getString("ca"),
                rs.getString("device_id"),
                rs.getString("kind"),
                Instant.ofEpochMilli(rs.getLong("not_before")),
                Instant.ofEpochMilli(rs.getLong("not_after")),
                rs.getString("key_fingerprint"),
                rs.getString("requested_by"),
                Instant.ofEpochMilli(rs.getLong("issued_at")),
                rs.getBytes("der"),
                revoked ? Instant.ofEpochMilli(revokedAt) : null,
                revocationReason);
    }
}
