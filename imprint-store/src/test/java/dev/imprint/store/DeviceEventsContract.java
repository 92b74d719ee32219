package dev.imprint.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The device event outbox (migration V11), mixed into every dialect's store test. */
interface DeviceEventsContract {
    Instant T0 = Instant.parse("2030-02-01T00:00:00Z");

    Store store();

    @Test
    default void no_events_are_written_unless_recording_is_on() {
        store().certificates().insertAll(List.of(StoreContractTest.cert("e0a1", "manufacturing", "ev-off", T0)));
        store().sessions().claim("ev-off", "hub-1", "node-a", T0).join();
        assertThat(store().deviceEvents().pending(10)).isEmpty();
    }

    @Test
    default void an_assigned_registration_is_an_event_and_a_refused_one_is_not() {
        DeviceEvents ev = store().deviceEvents();
        ev.record(true);
        try {
            DeviceRecord d = new DeviceRecord("ev-reg", "hub-2", true, "group-a", "{}", "{}", "assigned", "initialAssignment", "e2a1", 0,
                    T0, T0);
            store().deviceRegistry().save(d, new RegistrationEvent(0, "ev-reg", T0, "assigned", "initialAssignment", "hub-2", "group-a",
                    "e2a1", null, null));
            store().deviceRegistry().save(d, new RegistrationEvent(0, "ev-reg", T0.plusSeconds(1), "failed", null, null, "group-a",
                    "e2a1", "REVOKED", "no"));
            List<DeviceEvent> got = ev.pending(100).stream().filter(e -> e.deviceId().equals("ev-reg")).toList();
            assertThat(got).extracting(DeviceEvent::type).containsExactly("registered");
            assertThat(got.get(0).detail()).contains("\"hub\":\"hub-2\"").contains("\"enrollment\":\"group-a\"");
            ev.published(got.stream().map(DeviceEvent::id).toList());
        } finally {
            ev.record(false);
        }
    }

    @Test
    default void issue_connect_rotate_revoke_disconnect_appear_in_commit_order_and_go_once_published() {
        DeviceEvents ev = store().deviceEvents();
        ev.record(true);
        try {
            store().certificates().insertAll(List.of(StoreContractTest.cert("e1a1", "manufacturing", "ev-1", T0)));
            long epoch = store().sessions().claim("ev-1", "hub-1", "node-a", T0.plusSeconds(1)).join().entry().epoch();
            CertificateRecord c = StoreContractTest.cert("e1a2", "operational", "ev-1", T0.plusSeconds(2));
            store().certificates().insertAll(List.of(new CertificateRecord(c.serialHex(), c.ca(), c.deviceId(), c.kind(), c.notBefore(),
                    c.notAfter(), c.keyFingerprint(), "reenroll:e1a1", c.issuedAt(), c.der(), null, null)));
            store().certificates().revoke("e1a2", 1, T0.plusSeconds(3));
            store().certificates().revoke("e1a2", 1, T0.plusSeconds(4)); // already revoked: no second event
            store().sessions().release("ev-1", "node-b", epoch, T0.plusSeconds(5), "STALE").join(); // not this session: no event
            store().sessions().release("ev-1", "node-a", epoch, T0.plusSeconds(5), "REVOKED").join();

            List<DeviceEvent> got = ev.pending(100);
            assertThat(got).extracting(DeviceEvent::type).containsExactly("certificate.issued", "connected", "certificate.rotated",
                    "certificate.revoked", "disconnected");
            assertThat(got).extracting(DeviceEvent::deviceId).containsOnly("ev-1");
            assertThat(got).extracting(DeviceEvent::eventId).doesNotHaveDuplicates();
            assertThat(got.get(3).detail()).contains("\"serial\":\"e1a2\"").contains("\"reason\":1");
            assertThat(got.get(4).detail()).contains("\"reason\":\"REVOKED\"");
            assertThat(got.get(4).at()).isEqualTo(T0.plusSeconds(5));

            ev.published(got.subList(0, 2).stream().map(DeviceEvent::id).toList());
            assertThat(ev.pending(100)).extracting(DeviceEvent::type).containsExactly("certificate.rotated", "certificate.revoked",
                    "disconnected");
        } finally {
            ev.record(false);
        }
    }

    @Test
    default void a_reported_twin_change_is_an_event_with_its_version_and_a_desired_one_or_an_uncommitted_one_is_not() {
        DeviceEvents ev = store().deviceEvents();
        ev.record(true);
        try {
            store().twins().patchReported("ev-tw", "{\"fw\":\"1.0\",\"temp\":{\"unit\":\"C\"}}");
            store().twins().patchDesired("ev-tw", "{\"interval\":30}");
            store().twins().patchReported("ev-tw", "{\"fw\":\"1.1\"}");
            // a change whose write fails (metadata is NOT NULL): its transaction rolls back, event and all
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> store().shadows().update("ev-tw", ShadowStore.CLASSIC, (s, named) ->
                    new ShadowStore.Outcome<>(new ShadowRecord(s.deviceId(), s.name(), s.desired(), "{\"fw\":\"9\"}", null, s.version() + 1,
                            true, T0, s.desiredVersion(), s.reportedVersion() + 1), null))).isInstanceOf(StoreException.class);

            List<DeviceEvent> got = ev.pending(100).stream().filter(e -> e.deviceId().equals("ev-tw")).toList();
            assertThat(got).extracting(DeviceEvent::type).containsExactly("twin.reported", "twin.reported");
            assertThat(got.get(0).detail()).contains("\"version\":2").contains("\"fw\":\"1.0\"");
            assertThat(got.get(1).detail()).contains("\"version\":3").contains("\"reported\":{\"fw\":\"1.1\",\"temp\":{\"unit\":\"C\"}}");
            assertThat(store().twins().get("ev-tw").reportedVersion()).isEqualTo(3);
            ev.published(got.stream().map(DeviceEvent::id).toList());
        } finally {
            ev.record(false);
        }
    }
}
