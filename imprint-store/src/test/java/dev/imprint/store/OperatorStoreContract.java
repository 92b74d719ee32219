package dev.imprint.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Operator accounts, the audit log read by actor and the ledger read by station, on every dialect. */
interface OperatorStoreContract {
    Store store();

    Instant T = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    default void a_fresh_store_has_the_migrated_admin_account() {
        OperatorRecord admin = store().operators().find("admin").orElseThrow();
        assertThat(admin.role()).isEqualTo("admin");
        assertThat(admin.certSerial()).isNull();
        assertThat(admin.createdBy()).isEqualTo("migration");
        assertThat(admin.revoked()).isFalse();
    }

    @Test
    default void operators_are_created_once_listed_and_revoked_with_their_audit_entries() {
        OperatorStore ops = store().operators();
        ops.create(new OperatorRecord("fab", "factory", List.of("line1", "line2"), "0a1b", T, "admin:admin", null),
                new AuditLog.Entry("operator.created", "admin:admin", "fab", "{}"));
        assertThat(ops.find("fab").orElseThrow().stations()).containsExactly("line1", "line2");
        assertThatThrownBy(() -> ops.create(new OperatorRecord("fab", "admin", List.of(), "0a1c", T, "admin:admin", null),
                new AuditLog.Entry("operator.created", "admin:admin", "fab", "{}"))).isInstanceOf(StoreException.class);
        assertThat(ops.list()).extracting(OperatorRecord::name).containsExactly("admin", "fab");
        assertThat(ops.revoke("fab", T.plusSeconds(5), new AuditLog.Entry("operator.revoked", "operator:sec", "fab", "{}"))).isTrue();
        assertThat(ops.revoke("fab", T.plusSeconds(6), new AuditLog.Entry("operator.revoked", "operator:sec", "fab", "{}"))).isFalse();
        assertThat(ops.find("fab").orElseThrow().revokedAt()).isEqualTo(T.plusSeconds(5));
        List<AuditEvent> bySec = store().audit().latest(List.of("operator:sec"), Long.MAX_VALUE, 10);
        assertThat(bySec).extracting(AuditEvent::type).containsExactly("operator.revoked");
        assertThat(store().audit().latest(List.of(), Long.MAX_VALUE, 10)).extracting(AuditEvent::type)
                .containsExactly("operator.revoked", "operator.created");
        assertThat(store().audit().verify()).isEmpty();
    }

    @Test
    default void the_ledger_is_read_by_station() {
        store().ledger().recordAll(List.of(
                new LedgerEntry("01", "d1", "k1", "line1", "b1", T, T),
                new LedgerEntry("02", "d2", "k2", "line2", "b1", T, T),
                new LedgerEntry("03", "d3", "k3", "line1", "b2", T, T)));
        assertThat(store().ledger().count(null, "line1")).isEqualTo(2);
        assertThat(store().ledger().count("b1", "line1")).isEqualTo(1);
        assertThat(store().ledger().list(null, "line2", 10, 0)).extracting(LedgerEntry::deviceId).containsExactly("d2");
        assertThat(store().ledger().count("b1")).isEqualTo(2);
    }
}
