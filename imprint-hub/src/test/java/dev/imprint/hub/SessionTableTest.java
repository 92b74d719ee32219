package dev.imprint.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The revocation path finds every live session by its certificate serial, across reconnects. */
class SessionTableTest {
    private static DeviceSession session(String device, String serial, long epoch) {
        DeviceSession s = new DeviceSession(null, device, serial, "e", Instant.MAX, null);
        s.epoch = epoch;
        return s;
    }

    @Test
    void a_reconnect_on_the_same_certificate_leaves_only_the_newer_session_under_its_serial() {
        SessionTable t = new SessionTable();
        DeviceSession first = session("d1", "aa", 1);
        DeviceSession second = session("d1", "aa", 2);
        assertThat(t.add(first)).isNull();
        assertThat(t.withSerial("aa")).containsExactly(first);
        assertThat(t.add(second)).isSameAs(first);
        assertThat(t.withSerial("aa")).containsExactly(second);
        // the older one finishing its admission late loses and is not indexed
        assertThat(t.add(first)).isSameAs(first);
        assertThat(t.withSerial("aa")).containsExactly(second);
        assertThat(t.remove(first)).isFalse();
        assertThat(t.withSerial("aa")).containsExactly(second);
        assertThat(t.remove(second)).isTrue();
        assertThat(t.withSerial("aa")).isEmpty();
    }

    @Test
    void sessions_sharing_a_serial_are_all_found_until_each_is_removed() {
        SessionTable t = new SessionTable();
        DeviceSession a = session("d1", "bb", 1);
        DeviceSession b = session("d2", "bb", 2);
        DeviceSession c = session("d3", "bb", 3);
        t.add(a);
        t.add(b);
        t.add(c);
        assertThat(t.withSerial("bb")).containsExactlyInAnyOrder(a, b, c);
        assertThat(t.withSerial("cc")).isEmpty();
        t.remove(b);
        assertThat(t.withSerial("bb")).containsExactlyInAnyOrder(a, c);
        t.remove(a);
        assertThat(t.withSerial("bb")).containsExactly(c);
        t.remove(c);
        assertThat(t.withSerial("bb")).isEmpty();
        assertThat(t.size()).isZero();
    }
}
