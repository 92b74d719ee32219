package dev.imprint.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Leadership by advisory locks on dedicated connections, on a real PostgreSQL. */
class PgLeadershipIT extends ClusterPostgres {

    @Test
    void one_node_leads_a_key_and_a_standby_takes_over_within_5_s_when_its_connection_dies() throws Exception {
        store();  // migrated database; leadership itself needs no table
        PgLeadership a = closing(new PgLeadership(clusterDatabase(), "node-a"));
        PgLeadership b = closing(new PgLeadership(clusterDatabase(), "node-b"));
        assertThat(a.lead("crl:issuing-ca")).isTrue();
        assertThat(b.lead("crl:issuing-ca")).isFalse();
        assertThat(a.lead("crl:issuing-ca")).as("still").isTrue();

        assertThat(terminate("leader node-a")).isEqualTo(1);
        long cut = System.nanoTime();
        assertThat(a.lead("crl:issuing-ca")).as("a leader cut off from the database must not publish").isFalse();
        // a standby calls lead every ~2 s
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofSeconds(2)).pollDelay(Duration.ZERO)
                .until(() -> b.lead("crl:issuing-ca"));
        long takeoverMs = (System.nanoTime() - cut) / 1_000_000;
        assertThat(a.lead("crl:issuing-ca")).as("reconnected, but b holds it now").isFalse();
        assertThat(b.lead("crl:issuing-ca")).isTrue();
        figure("leadership: standby polling every 2 s led " + takeoverMs + " ms after the leader's connection was terminated");
    }

    @Test
    void keys_are_led_independently_and_close_releases() {
        store();
        PgLeadership a = closing(new PgLeadership(clusterDatabase(), "node-a"));
        PgLeadership b = closing(new PgLeadership(clusterDatabase(), "node-b"));
        assertThat(a.lead("crl:ca-1")).isTrue();
        assertThat(b.lead("crl:ca-2")).isTrue();
        assertThat(a.lead("crl:ca-2")).isFalse();
        assertThat(b.lead("crl:ca-1")).isFalse();

        a.close();
        assertThat(b.lead("crl:ca-1")).isTrue();
    }

    @Test
    void single_process_always_leads() {
        assertThat(Leadership.single().lead("anything")).isTrue();
    }
}
