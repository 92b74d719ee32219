package dev.imprint.device.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.device.DeviceKey;
import dev.imprint.device.MemoryState;
import dev.imprint.device.OperationalState;
import dev.imprint.pki.CryptoProviders;
import dev.imprint.testkit.TestPki;
import io.netty.channel.EventLoop;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** When the certificate is renewed, and what is done with the dialect's answer (no server: the dialect answers from the test). */
class RenewalTest {
    static TestPki pki;
    static DeviceRuntime rt;
    static EventLoop loop;

    @BeforeAll
    static void start() {
        CryptoProviders.install();
        pki = TestPki.create();
        rt = new DeviceRuntime(1);
        loop = rt.group().next();
    }

    @AfterAll
    static void stop() {
        rt.close();
    }

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void renewal_is_due_at_two_thirds_of_the_lifetime_counted_from_when_the_device_got_the_certificate() {
        Instant notAfter = T0.plus(Duration.ofHours(3));
        // not due: one hour into a three-hour certificate, due in one more
        assertThat(Renewal.untilDue(T0, notAfter, T0, T0.plus(Duration.ofHours(1)))).isEqualTo(Duration.ofHours(1));
        // due: past two thirds
        assertThat(Renewal.untilDue(T0, notAfter, T0, T0.plus(Duration.ofMinutes(150)))).isNegative();
        // a backdated certificate (notBefore an hour before the device got it): counted from its arrival
        assertThat(Renewal.untilDue(T0.minus(Duration.ofHours(1)), notAfter, T0, T0)).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void a_failed_renewal_is_tried_again_only_while_the_certificate_is_still_valid() {
        Instant notAfter = T0.plus(Duration.ofMinutes(10));
        assertThat(Renewal.retry(Duration.ofMinutes(1), notAfter, T0)).contains(Duration.ofMinutes(1));
        assertThat(Renewal.retry(Duration.ofMinutes(10), notAfter, T0)).isEmpty();
    }

    /** A dialect whose renewals answer from a queue of answers, each given the key asked for. */
    static final class Renewing implements Dialect {
        final Queue<java.util.function.Function<DeviceKey, CompletableFuture<List<X509Certificate>>>> answers = new ConcurrentLinkedQueue<>();
        final Queue<String> calls = new ConcurrentLinkedQueue<>();

        @Override
        public String name() {
            return "renewing";
        }

        @Override
        public CompletableFuture<OperationalState.Operational> provision(Identity factory, String deviceId, DeviceKey key) {
            return new CompletableFuture<>();
        }

        @Override
        public CompletableFuture<Session> connect(OperationalState.Operational op, String deviceId, Session.Inbound inbound) {
            return new CompletableFuture<>();
        }

        @Override
        public CompletableFuture<List<X509Certificate>> renew(Identity current, String deviceId, DeviceKey key, Session live) {
            calls.add("renew " + current.serialHex());
            var a = answers.poll();
            return a == null ? new CompletableFuture<>() : a.apply(key);
        }
    }

    /** The device as the renewal sees it: always connected, records what it was handed. */
    static final class Holder implements Renewal.Device {
        final OperationalState.Operational op;
        final CompletableFuture<OperationalState.Operational> renewed = new CompletableFuture<>();

        Holder(OperationalState.Operational op) {
            this.op = op;
        }

        @Override
        public OperationalState.Operational current() {
            return op;
        }

        @Override
        public Session live() {
            return new TelemetryQueueTest.HeldSession();
        }

        @Override
        public boolean stopped() {
            return false;
        }

        @Override
        public void renewed(OperationalState.Operational next) {
            renewed.complete(next);
        }
    }

    private static DeviceKey key(KeyPair kp) {
        return DeviceKey.of(kp);
    }

    /** An operational certificate well past two thirds of its life: renewal is due at once. */
    private static OperationalState.Operational due(String id) {
        Instant now = Instant.now();
        TestPki.Issued i = pki.leaf(id).validity(now.minus(Duration.ofHours(10)), now.plus(Duration.ofHours(1))).issueLeaf();
        return new OperationalState.Operational(key(i.key()), i.chain(), "endpoint-1");
    }

    private static final class Errors implements DeviceClient.Events {
        final Queue<String> seen = new ConcurrentLinkedQueue<>();
        final CompletableFuture<String> keyMismatch = new CompletableFuture<>();

        @Override
        public void transientError(String code) {
            seen.add(code);
            if (code.equals("ROTATION_KEY_MISMATCH")) {
                keyMismatch.complete(code);
            }
        }
    }

    @Test
    void a_due_renewal_stores_the_certificate_for_the_new_key_with_the_current_chain_and_hands_it_over() throws Exception {
        OperationalState.Operational op = due("dev-r1");
        Renewing dialect = new Renewing();
        dialect.answers.add(k -> CompletableFuture.failedFuture(
                new CloudException("UNAVAILABLE", "try later", Duration.ofMillis(10), false))); // tried again, well before expiry
        dialect.answers.add(k -> CompletableFuture.completedFuture(List.of(pki.leaf("dev-r1").key(new KeyPair(k.publicKey(), k.privateKey())).issueLeaf().cert())));
        MemoryState store = new MemoryState(op.key(), "dev-r1");
        Holder device = new Holder(op);
        Errors errors = new Errors();
        DeviceKey next = DeviceKey.generate();
        Renewal r = new Renewal(rt, loop, dialect, "dev-r1", () -> next, store, errors, new Backoff(Duration.ofMillis(5), Duration.ofMillis(20)), device);
        loop.execute(() -> r.schedule(op, Instant.EPOCH));

        OperationalState.Operational renewed = device.renewed.get(5, TimeUnit.SECONDS);
        assertThat(renewed.key()).isSameAs(next);
        assertThat(renewed.chain()).hasSize(op.chain().size());
        assertThat(renewed.chain().subList(1, renewed.chain().size())).isEqualTo(op.chain().subList(1, op.chain().size()));
        assertThat(renewed.hubHostname()).isEqualTo("endpoint-1");
        assertThat(store.operational()).contains(renewed);
        assertThat(errors.seen).containsExactly("ROTATION_UNAVAILABLE");
        assertThat(dialect.calls).hasSize(2);
    }

    /** An operational certificate the device just got, valid for an hour: its renewal is 40 minutes away. */
    private static OperationalState.Operational fresh(String id) {
        Instant now = Instant.now();
        TestPki.Issued i = pki.leaf(id).validity(now.minus(Duration.ofMinutes(1)), now.plus(Duration.ofHours(1))).issueLeaf();
        return new OperationalState.Operational(key(i.key()), i.chain(), "endpoint-1");
    }

    /** Runs {@code work} on the loop after what is queued there already, and waits for it. */
    private static <T> T onLoop(Supplier<T> work) throws Exception {
        return CompletableFuture.supplyAsync(work, loop).get(5, TimeUnit.SECONDS);
    }

    @Test
    void a_failed_attempt_does_not_replace_the_renewal_planned_or_cancelled_while_it_was_on_its_way() throws Exception {
        for (boolean replanned : new boolean[] {true, false}) {
            String id = replanned ? "dev-r3" : "dev-r4";
            OperationalState.Operational op = due(id);
            Renewing dialect = new Renewing();
            CompletableFuture<Void> asked = new CompletableFuture<>();
            CompletableFuture<List<X509Certificate>> answer = new CompletableFuture<>();
            dialect.answers.add(k -> {
                asked.complete(null);
                return answer;
            });
            Errors errors = new Errors();
            Renewal r = new Renewal(rt, loop, dialect, id, DeviceKey::generate, new MemoryState(op.key(), id), errors,
                    new Backoff(Duration.ofMillis(5), Duration.ofMillis(20)), new Holder(op));
            loop.execute(() -> r.schedule(op, Instant.EPOCH));
            asked.get(5, TimeUnit.SECONDS);

            // meanwhile the device reconnected with a fresh certificate (its renewal planned 40 min ahead), or disconnected
            OperationalState.Operational next = fresh(id);
            onLoop(() -> {
                if (replanned) {
                    r.schedule(next, Instant.now());
                } else {
                    r.cancel();
                }
                return null;
            });
            // the old attempt fails, asking to be tried again in 1 ms; its handler is queued on the loop before what follows
            answer.completeExceptionally(new CloudException("UNAVAILABLE", "try later", Duration.ofMillis(1), false));
            Duration planned = onLoop(r::untilPlanned);

            assertThat(errors.seen).as("the failure is still reported").containsExactly("ROTATION_UNAVAILABLE");
            if (replanned) {
                assertThat(planned).as("the plan made after the attempt stands").isGreaterThan(Duration.ofMinutes(30));
            } else {
                assertThat(planned).as("nothing planned after a cancel").isNull();
            }
            assertThat(dialect.calls).hasSize(1);
            loop.execute(r::cancel);
        }
    }

    @Test
    void a_renewed_certificate_for_another_key_is_refused_and_nothing_is_stored() throws Exception {
        OperationalState.Operational op = due("dev-r2");
        Renewing dialect = new Renewing();
        dialect.answers.add(k -> CompletableFuture.completedFuture(List.of(pki.device("dev-r2").cert())));
        MemoryState store = new MemoryState(op.key(), "dev-r2");
        Holder device = new Holder(op);
        Errors errors = new Errors();
        Supplier<DeviceKey> keys = DeviceKey::generate;
        Renewal r = new Renewal(rt, loop, dialect, "dev-r2", keys, store, errors, new Backoff(Duration.ofMillis(5), Duration.ofMillis(20)), device);
        loop.execute(() -> r.schedule(op, Instant.EPOCH));

        assertThat(errors.keyMismatch.get(5, TimeUnit.SECONDS)).isEqualTo("ROTATION_KEY_MISMATCH");
        assertThat(device.renewed).isNotDone();
        assertThat(store.operational()).isEmpty();
        loop.execute(r::cancel);
    }
}
