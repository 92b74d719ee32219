package dev.imprint.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Contract of the DPS parts of the store (hubs, enrollments, device registry), as interface
 * default methods so {@link StoreContractTest} runs them on every dialect.
 */
public interface DpsStoreContract {
    Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    /** The store under test, fresh for each test. */
    Store store();

    @Test
    default void adds_lists_updates_and_removes_hubs() {
        HubStore hubs = store().hubs();
        hubs.add(new HubRecord("hub-2", "127.0.0.4", "mqtts://127.0.0.4:8883", null, 1, T0));
        hubs.add(new HubRecord("hub-1", "127.0.0.3", "mqtts://127.0.0.3:8883", "eu", 500, T0));
        assertThatThrownBy(() -> hubs.add(new HubRecord("hub-1", "x.y", "mqtts://x.y:8883", null, 1, T0)))
                .isInstanceOf(StoreException.class).hasMessageContaining("hub-1");

        assertThat(hubs.list()).extracting(HubRecord::name).containsExactly("hub-1", "hub-2");
        assertThat(hubs.find("hub-1").orElseThrow()).isEqualTo(new HubRecord("hub-1", "127.0.0.3", "mqtts://127.0.0.3:8883", "eu", 500, T0));
        assertThat(hubs.update(new HubRecord("hub-2", "127.0.0.5", "mqtts://127.0.0.5:8883", "us", 7, T0))).isTrue();
        assertThat(hubs.find("hub-2").orElseThrow().weight()).isEqualTo(7);
        assertThat(hubs.update(new HubRecord("nope", "a.b", "mqtts://a.b:8883", null, 1, T0))).isFalse();
        assertThat(hubs.remove("hub-2")).isTrue();
        assertThat(hubs.remove("hub-2")).isFalse();
        assertThat(hubs.find("hub-2")).isEmpty();
    }

    @Test
    default void hub_weight_outside_1_to_1000_is_refused() {
        assertThatThrownBy(() -> new HubRecord("h", "a.b", "mqtts://a.b:8883", null, 0, T0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HubRecord("h", "a.b", "mqtts://a.b:8883", null, 1001, T0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    default void stores_group_and_individual_enrollments() {
        EnrollmentStore e = store().enrollments();
        EnrollmentRecord group = new EnrollmentRecord("default", "group", "-----BEGIN CERTIFICATE-----\n...", "dev-.*", null,
                "hashed", "{}", List.of("hub-1", "hub-2"), "{\"site\":\"a\"}", "{\"rate\":5}", "reprovisionAndMigrate", true, T0, T0);
        EnrollmentRecord one = new EnrollmentRecord("dev-7", "individual", null, null, "dev-7",
                "static", "{\"hub\":\"hub-2\"}", List.of(), "{}", "{}", "never", true, T0, T0);
        e.add(group);
        e.add(one);
        assertThatThrownBy(() -> e.add(one)).isInstanceOf(StoreException.class);
        EnrollmentRecord twin = new EnrollmentRecord("other", "individual", null, null, "dev-7",
                "static", "{}", List.of(), "{}", "{}", "never", true, T0, T0);
        assertThatThrownBy(() -> e.add(twin)).as("a second individual enrollment for one device").isInstanceOf(StoreException.class);

        assertThat(e.find("default").orElseThrow()).isEqualTo(group);
        assertThat(e.findIndividual("dev-7").orElseThrow()).isEqualTo(one);
        assertThat(e.findIndividual("dev-8")).isEmpty();
        assertThat(e.list()).extracting(EnrollmentRecord::name).containsExactly("default", "dev-7");

        assertThat(e.setEnabled("default", false, T0.plusSeconds(5))).isTrue();
        EnrollmentRecord disabled = e.find("default").orElseThrow();
        assertThat(disabled.enabled()).isFalse();
        assertThat(disabled.updatedAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(e.update(new EnrollmentRecord("default", "group", group.caPem(), null, null, "region", "{}",
                List.of("hub-1"), "{}", "{}", "reprovisionAndReset", true, T0, T0.plusSeconds(9),
                "{\"publish\":[\"factory/${thing}/#\"],\"subscribe\":[]}"))).isTrue();
        EnrollmentRecord updated = e.find("default").orElseThrow();
        assertThat(updated.awsPolicyJson()).isEqualTo("{\"publish\":[\"factory/${thing}/#\"],\"subscribe\":[]}");
        assertThat(e.find("dev-7").orElseThrow().awsPolicyJson()).isNull();
        assertThat(updated.allocation()).isEqualTo("region");
        assertThat(updated.hubs()).containsExactly("hub-1");
        assertThat(updated.idPattern()).isNull();
        assertThat(e.remove("dev-7")).isTrue();
        assertThat(e.findIndividual("dev-7")).isEmpty();
    }

    @Test
    default void device_registry_saves_bumps_version_and_keeps_creation_time() {
        DeviceRegistry r = store().deviceRegistry();
        DeviceRecord first = device("dev-1", "hub-1", T0);
        RegistrationEvent assigned = new RegistrationEvent(0, "dev-1", T0, "assigned", "initialAssignment", "hub-1",
                "default", "0a1b", null, null);
        DeviceRecord saved = r.save(first, assigned);
        assertThat(saved.version()).isEqualTo(1);
        assertThat(saved.etag()).isEqualTo("\"1\"");
        assertThat(saved).usingRecursiveComparison().ignoringFields("version").isEqualTo(first);

        DeviceRecord moved = new DeviceRecord("dev-1", "hub-2", true, "default", "{}", "{}", "assigned",
                "deviceDataReset", "0a1c", 0, T0.plusSeconds(60), T0.plusSeconds(60));
        DeviceRecord again = r.save(moved, null);
        assertThat(again.version()).isEqualTo(2);
        assertThat(again.hub()).isEqualTo("hub-2");
        assertThat(again.substatus()).isEqualTo("deviceDataReset");
        assertThat(again.createdAt()).as("first registration time kept").isEqualTo(T0);
        assertThat(again.updatedAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(r.find("dev-1").orElseThrow()).isEqualTo(again);
        assertThat(r.find("dev-9")).isEmpty();
    }

    @Test
    default void device_registry_enables_lists_and_reports_changes() {
        DeviceRegistry r = store().deviceRegistry();
        r.save(device("dev-1", "hub-1", T0), null);
        r.save(device("dev-2", "hub-2", T0.plusSeconds(1)), null);
        r.save(device("dev-3", "hub-1", T0.plusSeconds(2)), null);

        assertThat(r.setEnabled("dev-1", false, T0.plusSeconds(10))).isTrue();
        DeviceRecord off = r.find("dev-1").orElseThrow();
        assertThat(off.enabled()).isFalse();
        assertThat(off.status()).isEqualTo("disabled");
        assertThat(off.version()).isEqualTo(2);
        assertThat(r.setEnabled("dev-9", false, T0)).isFalse();

        assertThat(r.list(null, 10, 0)).extracting(DeviceRecord::deviceId).containsExactly("dev-1", "dev-2", "dev-3");
        assertThat(r.list("hub-1", 10, 0)).extracting(DeviceRecord::deviceId).containsExactly("dev-1", "dev-3");
        assertThat(r.list(null, 1, 1)).extracting(DeviceRecord::deviceId).containsExactly("dev-2");
        assertThat(r.changedSince(T0.plusSeconds(2), 10)).extracting(DeviceRecord::deviceId).containsExactly("dev-3", "dev-1");
        assertThat(r.count()).isEqualTo(3);
        assertThat(r.remove("dev-2")).isTrue();
        assertThat(r.count()).isEqualTo(2);
    }

    @Test
    default void registration_history_lists_newest_first_with_refusals() {
        DeviceRegistry r = store().deviceRegistry();
        r.save(device("dev-1", "hub-1", T0), new RegistrationEvent(0, "dev-1", T0, "assigned", "initialAssignment",
                "hub-1", "default", "01", null, null));
        r.recordEvent(new RegistrationEvent(0, "dev-1", T0.plusSeconds(1), "failed", null, null, null, "02",
                "CERT_REVOKED", "certificate revoked"));
        r.recordEvent(new RegistrationEvent(0, "dev-2", T0.plusSeconds(2), "disabled", null, null, "default", "03",
                "ENROLLMENT_DISABLED", null));

        List<RegistrationEvent> all = r.history(null, 10, 0);
        assertThat(all).extracting(RegistrationEvent::status).containsExactly("disabled", "failed", "assigned");
        assertThat(all.get(0).seq()).isGreaterThan(all.get(1).seq());
        List<RegistrationEvent> one = r.history("dev-1", 10, 0);
        assertThat(one).extracting(RegistrationEvent::errorCode).containsExactly("CERT_REVOKED", null);
        assertThat(one.get(1).hub()).isEqualTo("hub-1");
        assertThat(one.get(1).at()).isEqualTo(T0);
        assertThat(r.history("dev-1", 1, 1)).extracting(RegistrationEvent::status).containsExactly("assigned");
    }

    @Test
    default void registrations_are_tallied_by_outcome_after_a_seq() {
        DeviceRegistry r = store().deviceRegistry();
        assertThat(r.tallyAfter(0)).isEqualTo(new DeviceRegistry.Tally(0, java.util.Map.of()));
        r.save(device("dev-1", "hub-1", T0), new RegistrationEvent(0, "dev-1", T0, "assigned", "initialAssignment",
                "hub-1", "default", "01", null, null));
        long first = r.history(null, 1, 0).get(0).seq();
        r.save(device("dev-2", "hub-1", T0), new RegistrationEvent(0, "dev-2", T0, "assigned", "initialAssignment",
                "hub-1", "default", "02", null, null));
        r.recordEvent(new RegistrationEvent(0, "dev-3", T0, "failed", null, null, null, "03", "CERT_REVOKED", null));
        r.recordEvent(new RegistrationEvent(0, "dev-4", T0, "disabled", null, null, "default", "04", null, null));
        long last = r.history(null, 1, 0).get(0).seq();

        assertThat(r.tallyAfter(0)).isEqualTo(new DeviceRegistry.Tally(last,
                java.util.Map.of("assigned", 2L, "CERT_REVOKED", 1L, "disabled", 1L)));
        assertThat(r.tallyAfter(first).byOutcome()).containsEntry("assigned", 1L);
        assertThat(r.tallyAfter(last)).isEqualTo(new DeviceRegistry.Tally(last, java.util.Map.of()));
    }

    @Test
    default void devices_are_found_by_id_prefix_in_id_order_without_wildcards() {
        DeviceRegistry r = store().deviceRegistry();
        for (String id : List.of("dev-10", "dev-2", "dev-1", "Dev-1", "dexx", "other")) {
            r.save(device(id, "hub-1", T0), null);
        }
        assertThat(r.search("dev-1", 10)).extracting(DeviceRecord::deviceId).containsExactly("dev-1", "dev-10");
        assertThat(r.search("dev", 2)).extracting(DeviceRecord::deviceId).containsExactly("dev-1", "dev-10");
        assertThat(r.search("dev%", 10)).isEmpty();
        assertThat(r.search("de_", 10)).isEmpty();
        assertThat(r.search("", 10)).hasSize(6);
    }

    @Test
    default void an_assigned_operation_is_stored_with_the_device_as_saved_and_found_until_it_expires() {
        DeviceRegistry r = store().deviceRegistry();
        r.save(device("dev-1", "hub-1", T0), null);
        Instant later = T0.plusSeconds(5);
        DeviceRecord saved = r.save(device("dev-1", "hub-2", later), new RegistrationEvent(0, "dev-1", later, "assigned",
                "deviceDataMigrated", "hub-2", "default", "01", null, null),
                d -> assigned("op-1", d, later.plusSeconds(600)));

        OperationRecord op = r.findOperation("op-1", later).orElseThrow();
        assertThat(op).isEqualTo(assigned("op-1", saved, later.plusSeconds(600)));
        assertThat(op.etag()).as("the etag of the record as saved").isEqualTo("\"2\"");
        assertThat(op.createdAt()).as("the first registration's").isEqualTo(T0);
        assertThat(op.issuedChain()).containsExactly("MIIBa+/=", "MIIBb");
        assertThat(r.findOperation("op-1", later.plusSeconds(600))).as("at expiry").isPresent();
        assertThat(r.findOperation("op-1", later.plusSeconds(601))).as("after expiry").isEmpty();
        assertThat(r.findOperation("op-2", later)).isEmpty();
    }

    @Test
    default void a_refusal_stores_its_operation_with_its_history_row() {
        DeviceRegistry r = store().deviceRegistry();
        OperationRecord failed = new OperationRecord("op-f", "dev-2", "failed", null, null, null, 400209, "NO_HUB",
                "NO_HUB: none", null, List.of(), null, T0, T0, T0.plusSeconds(60));
        r.recordEvent(new RegistrationEvent(0, "dev-2", T0, "failed", null, null, "default", "03", "NO_HUB", "none"), failed);

        assertThat(r.findOperation("op-f", T0)).contains(failed);
        assertThat(r.history("dev-2", 10, 0)).extracting(RegistrationEvent::errorCode).containsExactly("NO_HUB");
    }

    @Test
    default void a_device_whose_operation_cannot_be_stored_is_not_saved_either() {
        DeviceRegistry r = store().deviceRegistry();
        r.save(device("dev-1", "hub-1", T0), null, d -> assigned("op-1", d, T0.plusSeconds(60)));
        assertThatThrownBy(() -> r.save(device("dev-2", "hub-1", T0), new RegistrationEvent(0, "dev-2", T0, "assigned",
                "initialAssignment", "hub-1", "default", "01", null, null), d -> assigned("op-1", d, T0.plusSeconds(60))))
                .as("a duplicate operation ID").isInstanceOf(StoreException.class);
        assertThat(r.find("dev-2")).isEmpty();
        assertThat(r.history("dev-2", 10, 0)).isEmpty();
    }

    @Test
    default void expired_operations_are_removed_in_bounded_batches() {
        DeviceRegistry r = store().deviceRegistry();
        for (int i = 0; i < 5; i++) {
            r.recordEvent(new RegistrationEvent(0, "dev-" + i, T0, "failed", null, null, null, null, "NO_HUB", null),
                    new OperationRecord("op-" + i, "dev-" + i, "failed", null, null, null, 400209, "NO_HUB", "NO_HUB", null,
                            List.of(), null, T0, T0, T0.plusSeconds(i < 3 ? 10 : 100)));
        }
        assertThat(r.removeExpiredOperations(T0.plusSeconds(50), 2)).isEqualTo(2);
        assertThat(r.removeExpiredOperations(T0.plusSeconds(50), 2)).isEqualTo(1);
        assertThat(r.removeExpiredOperations(T0.plusSeconds(50), 2)).isZero();
        assertThat(r.findOperation("op-3", T0)).isPresent();
        assertThat(r.findOperation("op-0", T0)).as("removed").isEmpty();
        assertThat(r.history(null, 10, 0)).as("the history stays").hasSize(5);
    }

    private static OperationRecord assigned(String id, DeviceRecord d, Instant expires) {
        return new OperationRecord(id, d.deviceId(), "assigned", d.hub() + ".example", d.deviceId(), d.substatus(), 0, null,
                null, "{\"a\":1.5,\"b\":[true]}", List.of("MIIBa+/=", "MIIBb"), d.etag(), d.createdAt(), d.updatedAt(), expires);
    }

    private static DeviceRecord device(String id, String hub, Instant at) {
        return new DeviceRecord(id, hub, true, "default", "{\"site\":\"a\"}", "{\"rate\":5}", "assigned",
                "initialAssignment", "0a1b", 0, at, at);
    }
}
