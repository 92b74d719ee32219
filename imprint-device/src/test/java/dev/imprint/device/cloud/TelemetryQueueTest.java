package dev.imprint.device.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The telemetry outbox on a real event loop, with sessions whose PUBACKs the test gives (no server). */
class TelemetryQueueTest {
    static DeviceRuntime rt;
    static EventLoop loop;

    @BeforeAll
    static void start() {
        rt = new DeviceRuntime(1);
        loop = rt.group().next();
    }

    @AfterAll
    static void stop() {
        rt.close();
    }

    /** A session that records what is sent and leaves each PUBACK to the test. */
    static final class HeldSession implements Session {
        final List<String> sent = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<Void>> acks = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<Void> sendTelemetry(String properties, byte[] body) {
            sent.add(new String(body, StandardCharsets.UTF_8) + (properties.isEmpty() ? "" : "?" + properties));
            CompletableFuture<Void> f = new CompletableFuture<>();
            acks.add(f);
            return f;
        }

        @Override
        public CompletableFuture<Long> reportProperties(String jsonPatch, Duration timeout) {
            return CompletableFuture.completedFuture(-1L);
        }

        @Override
        public CompletableFuture<byte[]> getTwin(Duration timeout) {
            return CompletableFuture.completedFuture(new byte[0]);
        }

        @Override
        public boolean active() {
            return true;
        }

        @Override
        public CompletableFuture<Void> close() {
            return CompletableFuture.completedFuture(null);
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Runs {@code r} on the loop and waits until it and everything queued before it ran. */
    private static void onLoop(Runnable r) throws Exception {
        CompletableFuture<Void> f = new CompletableFuture<>();
        loop.execute(() -> {
            r.run();
            f.complete(null);
        });
        f.get(5, TimeUnit.SECONDS);
    }

    @Test
    void a_message_queued_while_disconnected_goes_at_the_next_session_and_one_lost_on_the_way_goes_again_after_the_reconnect() throws Exception {
        TelemetryQueue q = new TelemetryQueue(loop, 4);
        CompletableFuture<Void> m = q.send(b("one"), Map.of("unit", "°C x"));
        onLoop(() -> { });
        assertThat(q.size()).isEqualTo(1); // waits: no session yet

        HeldSession first = new HeldSession();
        onLoop(() -> q.attach(first));
        assertThat(first.sent).containsExactly("one?unit=%C2%B0C%20x");
        onLoop(() -> q.detach()); // the connection is lost ...
        first.acks.get(0).completeExceptionally(CloudException.transientFailure("CLOSED", "lost"));
        onLoop(() -> { });
        assertThat(m).isNotDone();
        assertThat(q.size()).isEqualTo(1);

        HeldSession second = new HeldSession();
        onLoop(() -> q.attach(second)); // ... and comes back: the message goes again
        assertThat(second.sent).containsExactly("one?unit=%C2%B0C%20x");
        second.acks.get(0).complete(null);
        assertThat(m).succeedsWithin(Duration.ofSeconds(5));
        onLoop(() -> { });
        assertThat(q.size()).isZero();
    }

    @Test
    void a_message_the_server_refuses_fails_with_its_reason_and_is_not_queued_again() throws Exception {
        TelemetryQueue q = new TelemetryQueue(loop, 4);
        HeldSession s = new HeldSession();
        onLoop(() -> q.attach(s));
        CompletableFuture<Void> m = q.send(b("refused"), Map.of());
        onLoop(() -> { });
        s.acks.get(0).completeExceptionally(CloudException.refused("FOREIGN_TOPIC", "outside the policy"));
        assertThat(m).failsWithin(Duration.ofSeconds(5)).withThrowableThat().havingRootCause()
                .isInstanceOfSatisfying(CloudException.class, e -> assertThat(e.code()).isEqualTo("FOREIGN_TOPIC"));
        HeldSession next = new HeldSession();
        onLoop(() -> q.attach(next));
        assertThat(next.sent).isEmpty();
        assertThat(q.size()).isZero();
    }

    @Test
    void no_more_than_the_window_is_in_flight_and_the_rest_follows_each_puback() throws Exception {
        TelemetryQueue q = new TelemetryQueue(loop, 2);
        HeldSession s = new HeldSession();
        onLoop(() -> q.attach(s));
        for (int i = 1; i <= 3; i++) {
            q.send(b("m" + i), Map.of());
        }
        onLoop(() -> { });
        assertThat(s.sent).containsExactly("m1", "m2");
        assertThat(q.size()).isEqualTo(3);
        s.acks.get(0).complete(null);
        onLoop(() -> { });
        assertThat(s.sent).containsExactly("m1", "m2", "m3");
    }

    @Test
    void a_stopped_queue_fails_what_waits_and_what_comes_later_with_the_first_reason() throws Exception {
        TelemetryQueue q = new TelemetryQueue(loop, 4);
        CompletableFuture<Void> waiting = q.send(b("w"), Map.of());
        onLoop(() -> q.stop(CloudException.refused("REVOKED", "revoked")));
        onLoop(() -> q.stop(CloudException.refused("CLOSED", "closed")));
        CompletableFuture<Void> later = q.send(b("l"), Map.of());
        for (CompletableFuture<Void> f : List.of(waiting, later)) {
            assertThat(f).failsWithin(Duration.ofSeconds(5)).withThrowableThat().havingRootCause()
                    .isInstanceOfSatisfying(CloudException.class, e -> assertThat(e.code()).isEqualTo("REVOKED"));
        }
        assertThat(q.size()).isZero();
    }
}
