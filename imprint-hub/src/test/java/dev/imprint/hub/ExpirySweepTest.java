package dev.imprint.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExpirySweepTest {
    final ExpirySweep sweep = new ExpirySweep();
    final List<DeviceSession> live = new ArrayList<>();
    final List<DeviceSession> closed = new ArrayList<>();
    int walks;
    final Iterable<DeviceSession> table = () -> {
        walks++;
        return live.iterator();
    };

    DeviceSession admitted(String id, long notAfterSecond) {
        DeviceSession s = new DeviceSession(null, id, "01", "factory", Instant.ofEpochSecond(notAfterSecond), null);
        live.add(s);
        sweep.added(s);
        return s;
    }

    @Test
    void a_session_is_closed_at_the_first_instant_its_certificate_is_refused_and_the_table_is_walked_only_then() {
        DeviceSession a = admitted("a", 100);
        DeviceSession b = admitted("b", 200);
        sweep.sweep(100_999, table, closed::add);
        assertThat(closed).as("valid through notAfter's whole second").isEmpty();
        assertThat(walks).isZero();
        sweep.sweep(101_002, table, closed::add);
        assertThat(closed).containsExactly(a);
        live.remove(a);
        sweep.sweep(150_002, table, closed::add);
        assertThat(walks).as("nothing due until b's deadline").isEqualTo(1);
        DeviceSession c = admitted("c", 160);
        sweep.sweep(161_002, table, closed::add);
        assertThat(closed).containsExactly(a, c);
        live.remove(c);
        sweep.sweep(201_002, table, closed::add);
        assertThat(closed).containsExactly(a, c, b);
    }

    @Test
    void the_sweep_runs_just_after_each_whole_second() {
        assertThat(ExpirySweep.untilNextSecond(101_500)).isEqualTo(502);
        assertThat(ExpirySweep.untilNextSecond(101_000)).isEqualTo(1_002);
        assertThat(ExpirySweep.untilNextSecond(101_999)).isEqualTo(3);
    }
}
