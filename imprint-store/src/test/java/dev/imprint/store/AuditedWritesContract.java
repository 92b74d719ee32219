package dev.imprint.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Contract of the writes that carry their audit entry in the same transaction (a state change
 * never exists without its entry, nor the entry without the change), as interface default
 * methods so {@link StoreContractTest} runs them on every dialect.
 */
public interface AuditedWritesContract {
    Instant AT = Instant.parse("2030-01-01T00:00:00Z");

    /** The store under test, fresh for each test. */
    Store store();

    /** A second store instance on the same database (another node, or another process's view). */
    Store openAnother();

    /** Runs one SQL statement on a raw connection to the database under test. */
    void tamper(String sql) throws Exception;

    @Test
    default void certificates_and_their_audit_entry_commit_together() {
        List<CertificateRecord> batch = List.of(record("a1"), record("a2"), record("a3"));
        AuditEvent event = store().certificates().insertAll(batch, issued("3 certificates"));

        assertThat(store().certificates().count()).isEqualTo(3);
        assertThat(store().certificates().findBySerial("a2")).isPresent();
        assertThat(event.seq()).isEqualTo(1);
        assertThat(store().audit().list(0, 10)).containsExactly(event);
        assertThat(event.type()).isEqualTo("cert.issued");
        assertThat(event.subject()).isEqualTo("3 certificates");
        assertThat(store().audit().verify()).isEmpty();
    }

    @Test
    default void duplicate_serial_leaves_neither_certificates_nor_audit_entry() {
        AuditEvent first = store().certificates().insertAll(List.of(record("aa")), issued("aa"));
        List<CertificateRecord> batch = List.of(record("b1"), record("aa"), record("b2"));

        assertThatThrownBy(() -> store().certificates().insertAll(batch, issued("3 certificates")))
                .isInstanceOf(DuplicateSerialException.class);
        assertThat(store().certificates().count()).isEqualTo(1);
        assertThat(store().certificates().findBySerial("b1")).isEmpty();
        assertThat(store().audit().list(0, 10)).containsExactly(first);
        assertThat(store().audit().verify()).isEmpty();
        // the chain continues from the last committed entry
        AuditEvent next = store().certificates().insertAll(List.of(record("b1")), issued("b1"));
        assertThat(next.seq()).isEqualTo(2);
        assertThat(next.prevHash()).isEqualTo(first.hash());
        assertThat(store().audit().verify()).isEmpty();
    }

    @Test
    default void failing_audit_append_leaves_no_certificates() throws Exception {
        tamper("DELETE FROM audit_head");

        assertThatThrownBy(() -> store().certificates().insertAll(List.of(record("c1"), record("c2")), issued("2")))
                .isInstanceOf(StoreException.class).hasMessageContaining("audit_head");
        assertThat(store().certificates().count()).isZero();
        assertThat(store().audit().list(0, 10)).isEmpty();
    }

    @Test
    default void audit_verify_passes_after_concurrent_audited_batches_and_appends() throws Exception {
        int threads = 4;
        int batches = 10;
        int size = 16;
        try (Store other = openAnother()) {
            ExecutorService pool = Executors.newFixedThreadPool(threads + 2);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    Store s = t % 2 == 0 ? store() : other;
                    done.add(pool.submit(() -> {
                        for (int b = 0; b < batches; b++) {
                            List<CertificateRecord> batch = new ArrayList<>();
                            for (int i = 0; i < size; i++) {
                                batch.add(record("%02x%04x%04x".formatted(thread, b, i)));
                            }
                            s.certificates().insertAll(batch, issued(size + " certificates"));
                        }
                        return null;
                    }));
                }
                for (int t = 0; t < 2; t++) {
                    Store s = t == 0 ? store() : other;
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < 20; i++) {
                            s.audit().append("station.created", "admin:alice", "line-" + i, null);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(50, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
        }
        int entries = threads * batches + 2 * 20;
        assertThat(store().certificates().count()).isEqualTo((long) threads * batches * size);
        List<AuditEvent> chain = store().audit().list(0, entries + 10);
        assertThat(chain).hasSize(entries);
        assertThat(chain.stream().filter(e -> e.type().equals("cert.issued"))).hasSize(threads * batches);
        for (int i = 0; i < chain.size(); i++) {
            assertThat(chain.get(i).seq()).isEqualTo(i + 1);
            assertThat(chain.get(i).prevHash()).isEqualTo(i == 0 ? "" : chain.get(i - 1).hash());
        }
        assertThat(store().audit().verify()).isEmpty();
    }

    @Test
    default void revocation_and_its_audit_entry_commit_together_once() {
        store().certificates().insertAll(List.of(record("r1")));
        AuditLog.Entry entry = new AuditLog.Entry("cert.revoked", "admin:alice", "r1", "{\"reason\":1}");

        CertificateStore.Revocation first = store().certificates().revoke("r1", 1, AT, entry).orElseThrow();
        CertificateStore.Revocation again = store().certificates().revoke("r1", 4, AT.plusSeconds(5), entry).orElseThrow();

        assertThat(first.fresh()).isTrue();
        assertThat(again.fresh()).isFalse();
        assertThat(again.entry()).isEqualTo(first.entry());
        assertThat(store().certificates().revoke("ffff", 1, AT, entry)).isEmpty();
        assertThat(store().audit().list(0, 10)).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("cert.revoked");
            assertThat(e.subject()).isEqualTo("r1");
        });
        assertThat(store().audit().verify()).isEmpty();
    }

    @Test
    default void station_changes_and_their_audit_entries_commit_together() {
        StationRecord line = new StationRecord("line-1", "dev-[0-9]+", 10, 5, 0, "5e01", false, AT);
        store().stations().create(line, new AuditLog.Entry("station.created", "admin:alice", "line-1", "{}"));
        assertThatThrownBy(() -> store().stations().create(line, new AuditLog.Entry("station.created", "admin:bob", "line-1", "{}")))
                .isInstanceOf(StoreException.class);

        assertThat(store().stations().revoke("line-1", new AuditLog.Entry("station.revoked", "admin:alice", "line-1", "{}"))).isTrue();
        assertThat(store().stations().revoke("nope", new AuditLog.Entry("station.revoked", "admin:alice", "nope", "{}"))).isFalse();

        assertThat(store().stations().find("line-1").orElseThrow().revoked()).isTrue();
        assertThat(store().audit().list(0, 10)).extracting(AuditEvent::type, AuditEvent::actor)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("station.created", "admin:alice"),
                        org.assertj.core.groups.Tuple.tuple("station.revoked", "admin:alice"));
        assertThat(store().audit().verify()).isEmpty();
    }

    @Test
    default void ledger_entries_and_their_audit_entry_commit_together_and_resends_add_none() {
        List<LedgerEntry> entries = List.of(ledger("l1"), ledger("l2"));
        assertThat(store().ledger().recordAll(entries, n -> new AuditLog.Entry("ledger.record", "station:line-1", "b1",
                "{\"added\":" + n + "}"))).isEqualTo(2);
        List<LedgerEntry> resend = List.of(ledger("l2"), ledger("l3"));
        assertThat(store().ledger().recordAll(resend, n -> new AuditLog.Entry("ledger.record", "station:line-1", "b1",
                "{\"added\":" + n + "}"))).isEqualTo(1);
        assertThat(store().ledger().recordAll(resend, n -> {
            throw new AssertionError("nothing new, no audit entry");
        })).isZero();

        assertThat(store().ledger().count("b1")).isEqualTo(3);
        assertThat(store().audit().list(0, 10)).extracting(AuditEvent::detailsJson)
                .containsExactly("{\"added\":2}", "{\"added\":1}");
        assertThat(store().audit().verify()).isEmpty();
    }

    @Test
    default void a_sole_live_certificate_is_left_out_when_its_device_has_a_live_one_and_the_audit_entry_lists_what_was_written() {
        Instant now = Instant.now();
        CertificateStore certs = store().certificates();
        certs.insertAll(List.of(live("5000", "dev-live", now), live("5001", "dev-revoked", now),
                live("5002", "dev-expired", now.minus(Duration.ofDays(60)))), issued("3 certificates"));
        certs.revoke("5001", 1, now);
        List<CertificateRecord> batch = List.of(live("5100", "dev-live", now), live("5101", "dev-new", now),
                live("5102", "dev-new", now), live("5103", "dev-revoked", now), live("5104", "dev-expired", now),
                live("5105", "dev-live", now)); // the last one is not held to the rule (a rotation)
        List<String> audited = new ArrayList<>();
        CertificateStore.Recorded r = certs.insertAll(batch, Set.of("5100", "5101", "5102", "5103", "5104"), written -> {
            written.forEach(c -> audited.add(c.serialHex()));
            return issued(written.size() + " certificates");
        });

        assertThat(r.refused()).extracting(CertificateRecord::serialHex).as("a live one recorded; one earlier in the batch")
                .containsExactly("5100", "5102");
        assertThat(audited).containsExactly("5101", "5103", "5104", "5105");
        assertThat(r.audit().subject()).isEqualTo("4 certificates");
        assertThat(certs.findBySerial("5100")).isEmpty();
        assertThat(certs.findBySerial("5102")).isEmpty();
        assertThat(certs.findLive("dev-new", "device", now)).extracting(CertificateRecord::serialHex).containsExactly("5101");

        // every record refused: nothing written, no audit entry
        CertificateStore.Recorded none = certs.insertAll(List.of(live("5200", "dev-new", now)), Set.of("5200"), written -> {
            throw new AssertionError("nothing written, no audit entry");
        });
        assertThat(none.audit()).isNull();
        assertThat(none.refused()).extracting(CertificateRecord::serialHex).containsExactly("5200");
        assertThat(store().audit().list(0, 10)).hasSize(2);
        assertThat(store().audit().verify()).isEmpty();
    }

    @Test
    default void two_nodes_recording_the_same_devices_at_once_leave_each_one_live_certificate() throws Exception {
        int devices = 100;
        int batch = 10;
        Instant now = Instant.now();
        try (Store other = openAnother()) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<Integer>> refused = new ArrayList<>();
                for (int node = 0; node < 2; node++) {
                    int n = node;
                    Store s = node == 0 ? store() : other;
                    refused.add(pool.submit(() -> {
                        int out = 0;
                        for (int from = 0; from < devices; from += batch) {
                            List<CertificateRecord> records = new ArrayList<>();
                            Set<String> sole = new java.util.HashSet<>();
                            for (int i = 0; i < batch; i++) {
                                // the second node goes through the devices backwards: lock order must not matter
                                int d = n == 0 ? from + i : devices - 1 - from - i;
                                CertificateRecord c = live("%02x%04x".formatted(n, d), "race-" + d, now);
                                records.add(c);
                                sole.add(c.serialHex());
                            }
                            out += s.certificates().insertAll(records, sole, w -> issued(w.size() + " certificates")).refused().size();
                        }
                        return out;
                    }));
                }
                assertThat(refused.get(0).get(50, TimeUnit.SECONDS) + refused.get(1).get(50, TimeUnit.SECONDS)).isEqualTo(devices);
            } finally {
                pool.shutdownNow();
            }
        }
        assertThat(store().certificates().count()).isEqualTo(devices);
        for (int d = 0; d < devices; d++) {
            assertThat(store().certificates().findLive("race-" + d, "device", now)).as("race-" + d).hasSize(1);
        }
        assertThat(store().audit().verify()).isEmpty();
    }

    /** A device certificate valid from a minute before {@code at} for a day. */
    private static CertificateRecord live(String serial, String device, Instant at) {
        CertificateRecord r = record(serial);
        return new CertificateRecord(serial, "manufacturing", device, "device", at.minusSeconds(60), at.plus(Duration.ofDays(1)),
                r.keyFingerprint(), "station:line-1", at, r.der(), null, null);
    }

    private static AuditLog.Entry issued(String subject) {
        return new AuditLog.Entry("cert.issued", "ca", subject, "{}");
    }

    private static LedgerEntry ledger(String serial) {
        return new LedgerEntry(serial, "dev-" + serial, "00", "line-1", "b1", AT, AT);
    }

    private static CertificateRecord record(String serial) {
        byte[] der = new byte[200];
        ThreadLocalRandom.current().nextBytes(der);
        return new CertificateRecord(serial, "operational", "dev-" + serial, "device", AT.minusSeconds(60),
                AT.plus(Duration.ofDays(30)), HexFormat.of().formatHex(der, 0, 32), "station:line-1", AT, der, null, null);
    }
}
