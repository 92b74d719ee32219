package dev.imprint.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RollbackTest {
    private final List<String> stopped = new ArrayList<>();

    @Test
    void steps_run_newest_first_and_once() {
        Rollback r = new Rollback();
        r.add(() -> stopped.add("postgres"));
        r.add(() -> stopped.add("haproxy"));
        r.add(() -> stopped.add("node"));
        assertThat(r.run()).isTrue();
        assertThat(r.run()).isFalse();
        assertThat(stopped).containsExactly("node", "haproxy", "postgres");
    }

    @Test
    void a_step_added_after_an_interrupt_runs_at_once() {
        Rollback r = new Rollback();
        r.add(() -> stopped.add("postgres"));
        r.run(); // the shutdown hook, while a node was starting
        assertThatThrownBy(() -> r.add(() -> stopped.add("late node"))).hasMessage("interrupted");
        assertThat(stopped).containsExactly("postgres", "late node");
    }

    @Test
    void nothing_runs_after_a_commit() {
        Rollback r = new Rollback();
        r.add(() -> stopped.add("node"));
        r.commit();
        assertThat(r.run()).isFalse();
        assertThat(stopped).isEmpty();
    }
}
