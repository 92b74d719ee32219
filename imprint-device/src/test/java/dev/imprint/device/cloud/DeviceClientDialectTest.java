package dev.imprint.device.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.device.DeviceKey;
import dev.imprint.device.MemoryState;
import dev.imprint.device.OperationalState;
import dev.imprint.pki.CryptoProviders;
import dev.imprint.testkit.TestPki;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The device's life cycle over the {@link Dialect} seam, with a dialect that answers from a
 * script (no server): what the client asks of its dialect, in which order, and what it does
 * with each answer (fallback to provisioning, a permanent refusal, a refused message).
 */
class DeviceClientDialectTest {
    static TestPki pki;
    static DeviceRuntime rt;

    @BeforeAll
    static void setUp() {
        CryptoProviders.install();
        pki = TestPki.create();
        rt = new DeviceRuntime(1);
    }

    @AfterAll
    static void tearDown() {
        rt.close();
    }

    /** A dialect whose every call takes the next scripted answer and is recorded. */
    static final class Scripted implements Dialect {
        final Queue<String> calls = new ConcurrentLinkedQueue<>();
        final Deque<Supplier<CompletableFuture<OperationalState.Operational>>> provisions = new ArrayDeque<>();
        final Deque<Supplier<CompletableFuture<Session>>> connects = new ArrayDeque<>();
        /** The serial of the certificate of each connect, in order. */
        final Queue<String> connectedWith = new ConcurrentLinkedQueue<>();
        /** Each renewal asked for, answered by the test. */
        final java.util.concurrent.BlockingQueue<CompletableFuture<List<X509Certificate>>> renewals =
                new java.util.concurrent.LinkedBlockingQueue<>();
        volatile Session.Inbound inbound;

        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public synchronized CompletableFuture<OperationalState.Operational> provision(Identity factory, String deviceId, DeviceKey key) {
            calls.add("provision");
            return provisions.isEmpty() ? new CompletableFuture<>() : provisions.poll().get();
        }

        @Override
        public synchronized CompletableFuture<Session> connect(OperationalState.Operational op, String deviceId, Session.Inbound in) {
            calls.add("connect");
            connectedWith.add(op.chain().get(0).getSerialNumber().toString(16));
            inbound = in;
            return connects.isEmpty() ? new CompletableFuture<>() : connects.poll().get();
        }

        @Override
        public CompletableFuture<List<X509Certificate>> renew(Identity current, String deviceId, DeviceKey key, Session live) {
            calls.add("renew");
            CompletableFuture<List<X509Certificate>> answer = new CompletableFuture<>();
            renewals.add(answer);
            return answer;
        }
    }

    /** A session whose telemetry answers come from {@code answer}. */
    static final class FakeSession implements Session {
        final Queue<String> sent = new ConcurrentLinkedQueue<>();
        final Supplier<CompletableFuture<Void>> answer;
        volatile boolean closed;

        FakeSession(Supplier<CompletableFuture<Void>> answer) {
            this.answer = answer;
        }

        @Override
        public CompletableFuture<Void> sendTelemetry(String properties, byte[] body) {
            sent.add(new String(body, StandardCharsets.UTF_8));
            return answer.get();
        }

        @Override
        public CompletableFuture<Long> reportProperties(String jsonPatch, Duration timeout) {
            return CompletableFuture.completedFuture(1L);
        }

        @Override
        public CompletableFuture<byte[]> getTwin(Duration timeout) {
            return CompletableFuture.completedFuture("{}".getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public boolean active() {
            return true;
        }

        @Override
        public CompletableFuture<Void> close() {
            closed = true;
            return CompletableFuture.completedFuture(null);
        }
    }

    private static final class Recorder implements DeviceClient.Events {
        final Queue<String> seen = new ConcurrentLinkedQueue<>();
        final CompletableFuture<String> failed = new CompletableFuture<>();

        @Override
        public void registered(String hub, boolean fallback) {
            seen.add("registered " + hub + (fallback ? " (fallback)" : ""));
        }

        @Override
        public void connected(String hub) {
            seen.add("connected " + hub);
        }

        @Override
        public void disconnected(String code) {
            seen.add("disconnected " + code);
        }

        @Override
        public void failed(String code) {
            seen.add("failed " + code);
            failed.complete(code);
        }

        @Override
        public void transientError(String code) {
            seen.add("transient " + code);
        }

        @Override
        public void rotated(String newSerial) {
            seen.add("rotated");
        }
    }

    private record Device(DeviceKey key, OperationalState.Operational op, Identity factory) {}

    private static Device device(String id) {
        TestPki.Issued op = pki.device(id);
        DeviceKey key = DeviceKey.of(new KeyPair(op.cert().getPublicKey(), op.key().getPrivate()));
        TestPki.Issued factory = pki.device(id);
        DeviceKey fk = DeviceKey.of(new KeyPair(factory.cert().getPublicKey(), factory.key().getPrivate()));
        return new Device(key, new OperationalState.Operational(key, op.chain(), "endpoint-1"), new Identity(fk, factory.chain()));
    }

    private static DeviceClient client(Scripted dialect, Device d, Recorder events) {
        return client(dialect, d, events, Duration.ofMillis(5), Duration.ofMillis(20));
    }

    private static DeviceClient client(Scripted dialect, Device d, Recorder events, Duration minBackoff, Duration maxBackoff) {
        DeviceClient.Options o = new DeviceClient.Options(Duration.ofSeconds(5), minBackoff, maxBackoff, 4, () -> d.key());
        return new DeviceClient(rt, null, dialect, "dev-1", d.factory(), new MemoryState(d.key(), "dev-1"), o, events);
    }

    /**
     * An operational certificate of {@code d}'s key whose renewal is due within a second of the
     * device getting it (two thirds of a life of 0.5 to 1.5 s: the validity has whole seconds). A
     * reconnect after that is within the second before expiry: the device provisions again.
     */
    private static OperationalState.Operational dueSoon(Device d) {
        Instant notAfter = Instant.now().plusMillis(500).truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        return operational(d, notAfter);
    }

    private static OperationalState.Operational operational(Device d, Instant notAfter) {
        KeyPair kp = new KeyPair(d.key().publicKey(), d.key().privateKey());
        TestPki.Issued i = pki.leaf("dev-1").key(kp).validity(Instant.now().minus(Duration.ofHours(1)), notAfter).issueLeaf();
        return new OperationalState.Operational(d.key(), i.chain(), "endpoint-1");
    }

    private static String serial(OperationalState.Operational o) {
        return o.chain().get(0).getSerialNumber().toString(16);
    }

    /** Waits until every task queued on the device's loop before this call, and what they queued in turn, ran. */
    private static void settle() throws Exception {
        for (int i = 0; i < 2; i++) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            rt.group().next().execute(() -> f.complete(null));
            f.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void a_renewal_that_succeeds_after_the_connection_dropped_adds_no_attempt_beside_the_pending_reconnect() throws Exception {
        Device d = device("dev-1");
        OperationalState.Operational first = dueSoon(d);
        Scripted dialect = new Scripted();
        dialect.provisions.add(() -> CompletableFuture.completedFuture(first));
        dialect.connects.add(() -> CompletableFuture.completedFuture(new FakeSession(() -> CompletableFuture.completedFuture(null))));
        Recorder events = new Recorder();
        // a reconnect timer that stays pending for the whole test
        try (DeviceClient c = client(dialect, d, events, Duration.ofSeconds(60), Duration.ofSeconds(60))) {
            c.start().get(5, TimeUnit.SECONDS);
            CompletableFuture<List<X509Certificate>> renewal = dialect.renewals.poll(5, TimeUnit.SECONDS);
            assertThat(renewal).as("the renewal is due").isNotNull();

            dialect.inbound.closed(CloudException.transientFailure("LOST", "the connection dropped"));
            renewal.complete(operational(d, Instant.now().plus(Duration.ofHours(1))).chain());
            settle();

            assertThat(events.seen).containsExactly("registered endpoint-1", "connected endpoint-1", "disconnected LOST", "rotated");
            assertThat(dialect.calls).containsExactly("provision", "connect", "renew");
            assertThat(c.state()).isEqualTo(DeviceClient.State.RECONNECTING);
        }
    }

    @Test
    void a_renewal_that_succeeds_while_a_reconnect_is_on_its_way_waits_for_it_then_switches_to_the_new_certificate() throws Exception {
        Device d = device("dev-1");
        OperationalState.Operational first = dueSoon(d);
        // the reconnect comes within a second of the first certificate's expiry: it provisions again, and gets this one
        OperationalState.Operational second = operational(d, Instant.now().plus(Duration.ofHours(1)));
        OperationalState.Operational renewed = operational(d, Instant.now().plus(Duration.ofHours(1)));
        Scripted dialect = new Scripted();
        dialect.provisions.add(() -> CompletableFuture.completedFuture(first));
        dialect.provisions.add(() -> CompletableFuture.completedFuture(second));
        dialect.connects.add(() -> CompletableFuture.completedFuture(new FakeSession(() -> CompletableFuture.completedFuture(null))));
        CompletableFuture<Session> reconnect = new CompletableFuture<>();
        CompletableFuture<Void> reconnecting = new CompletableFuture<>();
        dialect.connects.add(() -> {
            reconnecting.complete(null);
            return reconnect;
        });
        FakeSession onTheNew = new FakeSession(() -> CompletableFuture.completedFuture(null));
        CompletableFuture<Void> switching = new CompletableFuture<>();
        dialect.connects.add(() -> {
            switching.complete(null);
            return CompletableFuture.completedFuture(onTheNew);
        });
        Recorder events = new Recorder();
        try (DeviceClient c = client(dialect, d, events)) {
            c.start().get(5, TimeUnit.SECONDS);
            CompletableFuture<List<X509Certificate>> renewal = dialect.renewals.poll(5, TimeUnit.SECONDS);
            assertThat(renewal).as("the renewal is due").isNotNull();

            dialect.inbound.closed(CloudException.transientFailure("LOST", "the connection dropped"));
            reconnecting.get(5, TimeUnit.SECONDS);
            renewal.complete(renewed.chain());
            settle();
            assertThat(dialect.connectedWith).as("one attempt at a time").containsExactly(serial(first), serial(second));

            // the reconnect on the certificate it had when it started connects: closed at once, and the next attempt uses the renewed one
            FakeSession onTheOld = new FakeSession(() -> CompletableFuture.completedFuture(null));
            reconnect.complete(onTheOld);
            switching.get(5, TimeUnit.SECONDS);
            settle();
            assertThat(c.state()).isEqualTo(DeviceClient.State.CONNECTED);
            assertThat(onTheOld.closed).isTrue();
            assertThat(dialect.connectedWith).containsExactly(serial(first), serial(second), serial(renewed));
            assertThat(c.send("{\"n\":2}".getBytes(StandardCharsets.UTF_8), Map.of()).get(5, TimeUnit.SECONDS)).isNull();
            assertThat(onTheNew.sent).containsExactly("{\"n\":2}");
            assertThat(onTheOld.sent).isEmpty();
            assertThat(events.seen).containsExactly("registered endpoint-1", "connected endpoint-1", "disconnected LOST",
                    "registered endpoint-1 (fallback)", "rotated", "connected endpoint-1");
        }
    }

    @Test
    void a_refused_reconnect_provisions_again_and_a_refused_provisioning_is_the_end_with_the_servers_reason() throws Exception {
        Device d = device("dev-1");
        Scripted dialect = new Scripted();
        dialect.provisions.add(() -> CompletableFuture.completedFuture(d.op()));
        dialect.connects.add(() -> CompletableFuture.completedFuture(new FakeSession(() -> CompletableFuture.completedFuture(null))));
        dialect.connects.add(() -> CompletableFuture.failedFuture(CloudException.refused("CONNACK_NOT_AUTHORIZED", "revoked")));
        dialect.provisions.add(() -> CompletableFuture.failedFuture(CloudException.refused("REVOKED", "the factory certificate is revoked")));
        Recorder events = new Recorder();
        try (DeviceClient c = client(dialect, d, events)) {
            c.start().get(5, TimeUnit.SECONDS);
            assertThat(c.send("{\"n\":1}".getBytes(StandardCharsets.UTF_8), Map.of()).get(5, TimeUnit.SECONDS)).isNull();

            // the server ends the session (revocation): reconnect refused, provisioning refused, the device stops
            dialect.inbound.closed(CloudException.transientFailure("REVOKED", "the certificate was revoked"));
            assertThat(events.failed.get(5, TimeUnit.SECONDS)).isEqualTo("REVOKED");
            assertThat(c.state()).isEqualTo(DeviceClient.State.FAILED);
            assertThat(c.failureCode()).isEqualTo("REVOKED");
            assertThat(dialect.calls).containsExactly("provision", "connect", "connect", "provision");
            assertThat(events.seen).containsExactly("registered endpoint-1", "connected endpoint-1", "disconnected REVOKED",
                    "transient CONNACK_NOT_AUTHORIZED", "failed REVOKED");
        }
    }

    @Test
    void a_provisioned_certificate_for_another_key_is_refused() throws Exception {
        Device d = device("dev-1");
        Device other = device("dev-1");
        Scripted dialect = new Scripted();
        dialect.provisions.add(() -> CompletableFuture.completedFuture(other.op()));
        try (DeviceClient c = client(dialect, d, new Recorder())) {
            assertThat(c.start()).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                    .havingRootCause().isInstanceOfSatisfying(CloudException.class, e -> assertThat(e.code()).isEqualTo("KEY_MISMATCH"));
            assertThat(dialect.calls).containsExactly("provision");
        }
    }

    @Test
    void a_message_the_server_refuses_fails_once_and_one_lost_on_the_way_goes_again() throws Exception {
        Device d = device("dev-1");
        Scripted dialect = new Scripted();
        dialect.provisions.add(() -> CompletableFuture.completedFuture(d.op()));
        Deque<CompletableFuture<Void>> answers = new java.util.concurrent.LinkedBlockingDeque<>(List.of(
                CompletableFuture.failedFuture(CloudException.refused("FOREIGN_TOPIC", "outside the policy")),
                CompletableFuture.failedFuture(CloudException.transientFailure("CLOSED", "lost")),
                CompletableFuture.completedFuture(null)));
        FakeSession session = new FakeSession(() -> answers.isEmpty() ? CompletableFuture.completedFuture(null) : answers.poll());
        dialect.connects.add(() -> CompletableFuture.completedFuture(session));
        try (DeviceClient c = client(dialect, d, new Recorder())) {
            c.start().get(5, TimeUnit.SECONDS);
            assertThat(c.send("refused".getBytes(StandardCharsets.UTF_8), Map.of())).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                    .havingRootCause().isInstanceOfSatisfying(CloudException.class, e -> assertThat(e.code()).isEqualTo("FOREIGN_TOPIC"));
            assertThat(c.send("again".getBytes(StandardCharsets.UTF_8), Map.of()).get(5, TimeUnit.SECONDS)).isNull();
            assertThat(session.sent).containsExactly("refused", "again", "again");
            assertThat(c.queued()).isZero();
        }
    }
}
