package dev.imprint.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The rule "one live certificate per identity" at commit, inside the recording transaction: which
 * records of a batch would give their identity a second live certificate. Several CA nodes
 * check before they sign, each on its own; only this check, ordered across nodes, decides. It
 * relies on READ COMMITTED (PostgreSQL's default, the store's): the query after the lock sees
 * what the lock's previous holder committed.
 */
final class SoleLiveCertificates {
    /**
     * Advisory lock stripes per transaction at most. Identities hash into them: a batch of thousands
     * holds at most this many locks (PostgreSQL's shared lock table has about 64 per connection),
     * at the price of ordering batches whose identities merely share a stripe; the audit chain's
     * head orders their commits anyway.
     */
    static final int STRIPES = 256;
    /** First key of the two-key advisory locks ("impr"): apart from leadership's one-key locks. */
    private static final int LOCK_CLASS = 0x696d7072;
    /** Identities per query, well under SQLite's 999 parameters. */
    private static final int CHUNK = 500;
    private static final String LOCK = "SELECT pg_advisory_xact_lock(?, s) FROM unnest(?) AS s";
    /**
     * Unrevoked and unexpired. Not yet valid counts too: another node's clock may run behind the
     * one that set notBefore, and a certificate about to become valid is as live as one that is.
     */
    private static final String LIVE = "SELECT DISTINCT device_id FROM certificates WHERE kind = ? AND revoked_at IS NULL"
            + " AND not_after > ? AND device_id IN (";

    private SoleLiveCertificates() {
    }

    /**
     * The candidates to refuse, in their order: those whose identity has a live certificate of
     * their kind at {@code now}, or a candidate before them in the batch. On PostgreSQL, first
     * waits for every other transaction recording one of these identities (stripe locks taken in
     * ascending order, so two batches never wait on each other in a cycle; held until commit).
     */
    static List<CertificateRecord> refused(Connection c, Dialect dialect, List<CertificateRecord> candidates, Instant now)
            throws SQLException {
        if (candidates.isEmpty()) {
            return List.of();
        }
        if (dialect == Dialect.POSTGRESQL) {
            lockStripes(c, candidates);
        }
        Map<String, List<String>> idsByKind = new LinkedHashMap<>();
        candidates.forEach(r -> idsByKind.computeIfAbsent(r.kind(), k -> new ArrayList<>()).add(r.deviceId()));
        Set<String> taken = new HashSet<>();
        for (Map.Entry<String, List<String>> kind : idsByKind.entrySet()) {
            for (String id : live(c, kind.getKey(), new ArrayList<>(new TreeSet<>(kind.getValue())), now)) {
                taken.add(key(kind.getKey(), id));
            }
        }
        List<CertificateRecord> refused = new ArrayList<>();
        for (CertificateRecord r : candidates) {
            if (!taken.add(key(r.kind(), r.deviceId()))) {
                refused.add(r);
            }
        }
        return refused;
    }

    private static String key(String kind, String deviceId) {
        return kind + '\n' + deviceId;
    }

    private static void lockStripes(Connection c, List<CertificateRecord> candidates) throws SQLException {
        TreeSet<Integer> stripes = new TreeSet<>();
        // String.hashCode is fixed by the language: every node computes the same stripe
        candidates.forEach(r -> stripes.add(Math.floorMod(r.deviceId().hashCode(), STRIPES)));
        try (PreparedStatement ps = c.prepareStatement(LOCK)) {
            ps.setInt(1, LOCK_CLASS);
            ps.setArray(2, c.createArrayOf("int4", stripes.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    // one row per lock taken, in the array's order
                }
            }
        }
    }

    private static List<String> live(Connection c, String kind, List<String> ids, Instant now) throws SQLException {
        List<String> live = new ArrayList<>();
        long t = now.toEpochMilli();
        for (int from = 0; from < ids.size(); from += CHUNK) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
            String sql = LIVE + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, kind);
                ps.setLong(2, t);
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(3 + i, chunk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        live.add(rs.getString(1));
                    }
                }
            }
        }
        return live;
    }
}
