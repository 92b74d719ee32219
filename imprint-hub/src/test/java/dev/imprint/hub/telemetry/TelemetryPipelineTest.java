package dev.imprint.hub.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.store.JdbcStore;
import dev.imprint.store.TelemetryRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Group commit on a real SQLite store: a durable message's future completes only once stored. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TelemetryPipelineTest {
    @TempDir
    Path dir;

    static final QueueBudget ROOMY = new QueueBudget(100, 1 << 20);

    /** Room for exactly four QoS 0 messages of {@link #record} (n < 10), four durable places. */
    static QueueBudget fourQos0() {
        return new QueueBudget(4, 4 * QueueBudget.cost(record("dev-x", 1)));
    }

    static TelemetryRecord record(String device, int n) {
        return new TelemetryRecord(0, device, "hub-t", Instant.now(), "{}", ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void durable_message_is_in_the_store_when_its_future_completes() throws Exception {
        try (JdbcStore store = JdbcStore.sqlite(dir.resolve("imprint.db"));
                TelemetryPipeline p = new TelemetryPipeline("hub-t", store.telemetry(), List.of(), Duration.ofDays(1), 1000, ROOMY, null)) {
            List<CompletableFuture<Void>> stored = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                stored.add(p.store(record("dev-1", i)));
            }
            stored.get(49).get(10, TimeUnit.SECONDS);
            // batches commit in queue order: the last one done means all are
            assertThat(stored).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
            assertThat(store.telemetry().recent("dev-1", 100)).hasSize(50);
        }
    }

    /** A log that acknowledges when the test says so: the durable step handed to the pipeline. */
    static final class HeldLog implements TelemetryLog {
        final List<TelemetryRecord> appended = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<CompletableFuture<Void>> acks = new java.util.concurrent.CopyOnWriteArrayList<>();
        /** While closed, an append holds the writer: what is queued meanwhile becomes its next batch. */
        final java.util.concurrent.CountDownLatch gate;

        HeldLog() {
            this(false);
        }

        HeldLog(boolean gated) {
            this.gate = new java.util.concurrent.CountDownLatch(gated ? 1 : 0);
        }

        @Override
        public CompletableFuture<Void> append(TelemetryRecord r) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            appended.add(r);
            acks.add(f);
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return f;
        }

        @Override
        public long dropped() {
            return 0;
        }

        @Override
        public void close() {}
    }

    @Test
    void with_a_log_the_durable_future_follows_the_log_and_the_store_keeps_no_rows_at_window_zero() throws Exception {
        HeldLog log = new HeldLog();
        try (JdbcStore store = JdbcStore.sqlite(dir.resolve("imprint.db"));
                TelemetryPipeline p = new TelemetryPipeline("hub-t", store.telemetry(), List.of(log), Duration.ofDays(1), 0, ROOMY, null)) {
            CompletableFuture<Void> first = p.store(record("dev-k", 0));
            CompletableFuture<Void> second = p.store(record("dev-k", 1));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> log.acks.size() == 2);
            assertThat(log.appended).extracting(r -> new String(r.body(), StandardCharsets.UTF_8)).containsExactly("{\"n\":0}", "{\"n\":1}");
            assertThat(first).isNotDone();
            log.acks.get(0).complete(null);
            log.acks.get(1).completeExceptionally(new TelemetryPipeline.NotStored("KAFKA_UNAVAILABLE", "away"));
            first.get(5, TimeUnit.SECONDS);
            assertThat(second).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .havingCause().isInstanceOfSatisfying(TelemetryPipeline.NotStored.class, n -> assertThat(n.reason()).isEqualTo("KAFKA_UNAVAILABLE"));
            assertThat(store.telemetry().recent("dev-k", 10)).isEmpty();
        }
    }

    @Test
    void with_a_log_the_window_keeps_the_newest_of_each_device_per_batch_and_every_message_of_a_slow_device() throws Exception {
        HeldLog log = new HeldLog(true);
        try (JdbcStore store = JdbcStore.sqlite(dir.resolve("imprint.db"));
                TelemetryPipeline p = new TelemetryPipeline("hub-t", store.telemetry(), List.of(log), Duration.ofDays(1), 1000, ROOMY, null)) {
            p.store(record("dev-fast", 0));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> log.appended.size() == 1);
            for (int i = 1; i <= 40; i++) {
                p.store(record("dev-fast", i));
            }
            p.store(record("dev-slow", 0));
            log.gate.countDown();
            // the slow device's row is in the second batch's window transaction
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> store.telemetry().recent("dev-slow", 10).size() == 1);
            assertThat(log.appended).hasSize(42);
            List<String> expected = new ArrayList<>();
            for (int i = 40; i > 40 - NewestPerDevice.DEFAULT; i--) {
                expected.add("{\"n\":" + i + "}");
            }
            expected.add("{\"n\":0}");
            assertThat(store.telemetry().recent("dev-fast", 100)).extracting(r -> new String(r.body(), StandardCharsets.UTF_8))
                    .containsExactlyElementsOf(expected);
        }
    }

    @Test
    void waits_for_a_locked_store_and_a_qos0_flood_never_refuses_durable_messages() throws Exception {
        Path db = dir.resolve("imprint.db");
        try (JdbcStore store = JdbcStore.sqlite(db);
                TelemetryPipeline p = new TelemetryPipeline("hub-t", store.telemetry(), List.of(), Duration.ofDays(1), 1000, fourQos0(), null);
                Connection other = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            // another process's writer holds the file's write lock: the pipeline's first batch waits on it
            try (Statement s = other.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
            }
            CompletableFuture<Void> first = p.store(record("dev-2", 0));
            Thread.sleep(300);
            assertThat(first).isNotDone();
            int accepted = 0;
            for (int i = 1; i <= 10; i++) {
                accepted += p.offer(record("dev-2", i)) ? 1 : 0;
            }
            assertThat(accepted).as("QoS 0 takes at most its byte budget").isEqualTo(4);
            List<CompletableFuture<Void>> durable = new ArrayList<>();
            for (int i = 11; i <= 14; i++) {
                durable.add(p.store(record("dev-2", i)));
            }
            assertThat(durable).noneMatch(CompletableFuture::isCompletedExceptionally);
            // every place taken (four durable + the four QoS 0 the byte budget allows): the next durable one is refused
            assertThat(p.store(record("dev-2", 15))).isCompletedExceptionally().failsWithin(Duration.ZERO).withThrowableThat()
                    .havingCause().isInstanceOfSatisfying(TelemetryPipeline.NotStored.class, n -> assertThat(n.reason()).isEqualTo("STORE_BEHIND"));
            try (Statement s = other.createStatement()) {
                s.execute("ROLLBACK");
            }
            CompletableFuture.allOf(durable.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertThat(first).isCompleted();
            assertThat(store.telemetry().recent("dev-2", 100)).hasSize(1 + 4 + 4);
        }
    }

    @Test
    void a_qos0_message_is_kept_while_its_budget_has_room_and_dropped_and_counted_past_it() throws Exception {
        Path db = dir.resolve("imprint.db");
        io.micrometer.core.instrument.simple.SimpleMeterRegistry meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        try (JdbcStore store = JdbcStore.sqlite(db);
                TelemetryPipeline p = new TelemetryPipeline("hub-t", store.telemetry(), List.of(), Duration.ofDays(1), 1000, fourQos0(), meters);
                Connection other = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            try (Statement s = other.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
            }
            CompletableFuture<Void> held = p.store(record("dev-4", 0));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> meters.counter("imprint.hub.telemetry.accepted", "hub", "hub-t").count() == 1);
            List<Boolean> kept = new ArrayList<>();
            for (int i = 1; i <= 6; i++) {
                kept.add(p.offer(record("dev-4", i)));
            }
            assertThat(kept).containsExactly(true, true, true, true, false, false);
            assertThat(meters.counter("imprint.hub.telemetry.dropped", "hub", "hub-t").count()).isEqualTo(2);
            try (Statement s = other.createStatement()) {
                s.execute("ROLLBACK");
            }
            held.get(10, TimeUnit.SECONDS);
            // the writer took the four: their bytes are free again, the next QoS 0 message is kept
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> store.telemetry().recent("dev-4", 100).size() == 5);
            assertThat(p.offer(record("dev-4", 7))).isTrue();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> store.telemetry().recent("dev-4", 100).size() == 6);
            assertThat(store.telemetry().recent("dev-4", 100)).extracting(r -> new String(r.body(), StandardCharsets.UTF_8))
                    .containsExactly("{\"n\":7}", "{\"n\":4}", "{\"n\":3}", "{\"n\":2}", "{\"n\":1}", "{\"n\":0}");
            assertThat(meters.counter("imprint.hub.telemetry.dropped", "hub", "hub-t").count()).isEqualTo(2);
        }
    }

    @Test
    void a_backlog_past_the_row_cap_is_pruned_in_steps_at_start_and_a_durable_message_is_stored_meanwhile() throws Exception {
        int backlog = 2 * Retention.STEP + 500;
        try (JdbcStore store = JdbcStore.sqlite(dir.resolve("imprint.db"))) {
            storeBacklog(store, backlog);
            try (TelemetryPipeline p = new TelemetryPipeline("hub-t", store.telemetry(), List.of(), Duration.ofDays(1), 100, ROOMY, null)) {
                p.store(record("dev-q", 1)).get(10, TimeUnit.SECONDS);
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                        // the runs holding the newest 100 (a batch's run holds up to 256): reached only through several steps
                        .until(() -> store.telemetry().recent("dev-p", backlog).size() < 100 + 256);
                assertThat(store.telemetry().recent("dev-q", 10)).hasSize(1);
            }
        }
    }

    private static void storeBacklog(JdbcStore store, int messages) {
        List<TelemetryRecord> rows = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            rows.add(record("dev-p", i));
        }
        store.telemetry().appendAll(rows);
    }

    /** With a log, the window's own thread runs the retention: a backlog past the cap goes in steps with no message arriving. */
    @Test
    void with_a_log_the_window_thread_prunes_a_backlog_in_steps_while_the_log_takes_messages() throws Exception {
        int backlog = 2 * Retention.STEP + 500;
        try (JdbcStore store = JdbcStore.sqlite(dir.resolve("imprint.db"))) {
            storeBacklog(store, backlog);
            HeldLog log = new HeldLog();
            try (TelemetryPipeline p = new TelemetryPipeline("hub-t", store.telemetry(), List.of(log), Duration.ofDays(1), 100, ROOMY, null)) {
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                        .until(() -> store.telemetry().recent("dev-p", backlog).size() < 100 + 256);
                p.store(record("dev-q", 1));
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> store.telemetry().recent("dev-q", 10).size() == 1);
                assertThat(log.appended).extracting(TelemetryRecord::deviceId).containsExactly("dev-q");
            }
        }
    }

    @Test
    void failed_write_fails_the_durable_messages_with_store_unavailable() throws Exception {
        JdbcStore store = JdbcStore.sqlite(dir.resolve("imprint.db"));
        try (TelemetryPipeline p = new TelemetryPipeline("hub-t", store.telemetry(), List.of(), Duration.ofDays(1), 1000, ROOMY, null)) {
            store.close();
            CompletableFuture<Void> f = p.store(record("dev-3", 0));
            assertThat(f).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .havingCause().isInstanceOfSatisfying(TelemetryPipeline.NotStored.class,
                            n -> assertThat(n.reason()).isEqualTo("STORE_UNAVAILABLE"));
        }
    }
}
