package dev.imprint.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.imprint.ca.Authority;
import dev.imprint.ca.CaSettings;
import dev.imprint.ca.Credential;
import dev.imprint.cluster.NodeBus;
import dev.imprint.cluster.NodeMessage;
import dev.imprint.mqtt.ServerTls;
import dev.imprint.pki.CryptoProviders;
import dev.imprint.pki.validation.CertificateValidator;
import dev.imprint.store.DeviceRecord;
import dev.imprint.store.EnrollmentRecord;
import dev.imprint.store.JdbcStore;
import dev.imprint.store.SessionDirectory;
import dev.imprint.store.Store;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One logical hub served by two nodes (A on 127.0.7.1, B on 127.0.7.2) and an admin node
 * without hubs, in one JVM: each node with its own store (one SQLite file), its own bus on an
 * {@link InMemoryNetwork}, its own back end. Real TLS, real Paho devices. The cross-node cases
 * anchors' users report broken (ThingsBoard #2270, Hono #1632): the device, the API call and the
 * session on different nodes, and a reconnect in the middle.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MultiNodeHubIT {
    static final String HUB = "hub-multi";
    static final String HOST_A = "127.0.7.1";
    static final String HOST_B = "127.0.7.2";
    private static final Pattern VERSION = Pattern.compile("\\$version=(\\d+)");

    @TempDir
    static Path dir;
    static Store caStore;
    static Authority ca;
    static InMemoryNetwork net;
    static Node a;
    static Node b;
    static Node admin;

    /** One node: its store, bus, hub (none on the admin node) and back end. */
    record Node(String name, Store store, NodeBus bus, Hub hub, HubBackend backend, SimpleMeterRegistry meters) implements AutoCloseable {
        static Node start(String name, String host) {
            return start(name, host, JdbcStore.sqlite(dir.resolve("imprint.db")));
        }

        static Node start(String name, String host, Store store) {
            NodeBus bus = net.node(name);
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            Hub hub = null;
            if (host != null) {
                Credential server = ca.issueServerCertificate(HUB, List.of(), List.of(host));
                CertificateValidator validator = CertificateValidator.builder()
                        .trustAnchor(ca.hierarchy().issuer("manufacturing"))
                        .trustAnchor(ca.hierarchy().issuer("operational"))
                        .revocation(StoreRevocationSource.of(store.certificates()))
                        .build();
                hub = Hub.start(HubSettings.of(HUB, host, host), store, validator,
                        ServerTls.create(server.key(), server.fullChain(), true), List.of(), meters, bus);
            }
            return new Node(name, store, bus, hub, new HubBackend(store, bus, hub == null ? List.of() : List.of(hub)), meters);
        }

        double disconnects(String reason) {
            var c = meters.find("imprint.mqtt.disconnects").tag("reason", reason).counter();
            return c == null ? 0 : c.count();
        }

        @Override
        public void close() {
            if (hub != null) {
                hub.close();
            }
            backend.close();
            bus.close();
            store.close();
        }
    }

    @BeforeAll
    static void start() {
        CryptoProviders.install();
        caStore = JdbcStore.sqlite(dir.resolve("imprint.db"));
        ca = Authority.open(CaSettings.defaults(dir.resolve("pki"), "test-passphrase".toCharArray(), "http://127.0.0.1:1"), caStore);
        net = new InMemoryNetwork();
        a = Node.start("node-a", HOST_A);
        b = Node.start("node-b", HOST_B);
        admin = Node.start("node-admin", null);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {admin, b, a, net}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // the others still close
            }
        }
        if (ca != null) {
            ca.close();
        }
        if (caStore != null) {
            caStore.close();
        }
    }

    static HubFixture.Device device(String id) {
        HubFixture.Device d = HubFixture.issue(ca, id, "manufacturing");
        HubFixture.register(caStore, id, HUB, d.serial());
        return d;
    }

    static PahoHubIT.Conn connect(HubFixture.Device d, String host) throws MqttException {
        return new PahoHubIT.Conn(host, d.id(), HubFixture.ssl(d.key(), d.chain(), ca.hierarchy().root()));
    }

    static SessionDirectory.Entry holder(String id) {
        return admin.store().sessions().find(id).orElseThrow();
    }

    @Test
    void c2d_sent_through_node_a_reaches_a_device_on_node_b_in_order_and_none_is_lost_across_a_reconnect_to_node_a() throws Exception {
        HubFixture.Device d = device("multi-c2d");
        String filter = "devices/multi-c2d/messages/devicebound/#";
        PahoHubIT.Conn onB = connect(d, HOST_B);
        PahoHubIT.Conn onA = null;
        try {
            onB.client.subscribe(filter, 1);
            assertThat(holder(d.id()).node()).isEqualTo("node-b");
            for (int i = 0; i < 40; i++) {
                a.backend().sendC2d(d.id(), ("m" + i).getBytes(StandardCharsets.UTF_8), Map.of(), null);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> onB.received.size() >= 20);
            onA = connect(d, HOST_A);
            onA.client.subscribe(filter, 1);
            for (int i = 40; i < 80; i++) {
                admin.backend().sendC2d(d.id(), ("m" + i).getBytes(StandardCharsets.UTF_8), Map.of(), null);
            }
            PahoHubIT.Conn second = onA;
            await().atMost(Duration.ofSeconds(20)).until(() -> received(onB, second).size() == 80);
            assertThat(ordered(bodies(onB))).as("order on node B").isTrue();
            assertThat(ordered(bodies(onA))).as("order on node A").isTrue();
            assertThat(holder(d.id()).node()).isEqualTo("node-a");
            assertThat(admin.backend().device(d.id()).node()).isEqualTo("node-a");
            // each acknowledged message leaves the queue (deleted after its PUBACK)
            await().atMost(Duration.ofSeconds(5)).until(() -> caStore.cloudToDevice().pending(d.id(), Instant.now(), 10).isEmpty());
        } finally {
            onB.close();
            if (onA != null) {
                onA.close();
            }
        }
    }

    @Test
    void a_device_connecting_to_node_b_takes_its_session_from_node_a() throws Exception {
        HubFixture.Device d = device("multi-takeover");
        PahoHubIT.Conn onA = connect(d, HOST_A);
        PahoHubIT.Conn onB = null;
        try {
            long epochOnA = holder(d.id()).epoch();
            double before = a.disconnects("SESSION_TAKEN");
            onB = connect(d, HOST_B);
            assertThat(onA.lost.await(2, TimeUnit.SECONDS)).as("A's session closed").isTrue();
            // the client can see the close before node A's close listener has counted and forgotten the session
            await().atMost(Duration.ofSeconds(5)).until(() -> a.disconnects("SESSION_TAKEN") == before + 1);
            SessionDirectory.Entry now = holder(d.id());
            assertThat(now.node()).isEqualTo("node-b");
            assertThat(now.epoch()).isGreaterThan(epochOnA);
            await().atMost(Duration.ofSeconds(5)).until(() -> !a.hub().isConnected(d.id()));
            assertThat(onB.client.isConnected()).isTrue();
            HubBackend.DeviceView view = a.backend().device(d.id());
            assertThat(view.connected()).isTrue();
            assertThat(view.node()).isEqualTo("node-b");
        } finally {
            onA.close();
            if (onB != null) {
                onB.close();
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> admin.store().sessions().find(d.id()).isEmpty());
        assertThat(admin.backend().device(d.id()).connected()).isFalse();
        assertThat(admin.backend().device(d.id()).lastSeen()).isNotNull();
    }

    @Test
    void a_session_taken_that_overtakes_the_admission_of_its_session_refuses_that_session() throws Exception {
        HubFixture.Device d = device("multi-taken-early");
        ClaimHookStore hooked = new ClaimHookStore(JdbcStore.sqlite(dir.resolve("imprint.db")));
        java.util.concurrent.atomic.AtomicReference<Node> c = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<SessionDirectory.Claim> elsewhere = new java.util.concurrent.atomic.AtomicReference<>();
        // node C's claim committed (epoch N); before C admits it, the device's newer connection is
        // claimed by another node, whose SESSION_TAKEN(N) reaches C while C has no session of N yet
        hooked.afterClaim = id -> {
            long mine = caStore.sessions().find(id).orElseThrow().epoch();
            elsewhere.set(caStore.sessions().claim(id, HUB, "node-elsewhere", Instant.now()).join());
            assertThat(elsewhere.get().previous().orElseThrow().epoch()).isEqualTo(mine);
            c.get().hub().sessionTaken(id, mine);
        };
        try (Node started = Node.start("node-c", "127.0.7.3", hooked)) {
            c.set(started);
            assertThatThrownBy(() -> connect(d, "127.0.7.3")).isInstanceOf(MqttException.class)
                    .satisfies(e -> assertThat(((MqttException) e).getReasonCode()).isEqualTo(MqttException.REASON_CODE_BROKER_UNAVAILABLE));
            assertThat(started.hub().isConnected(d.id())).isFalse();
            await().atMost(Duration.ofSeconds(5)).until(() -> started.disconnects("SESSION_TAKEN") == 1);
            // the newer holder's row is untouched by C's refusal
            assertThat(holder(d.id())).isEqualTo(elsewhere.get().entry());
        } finally {
            if (elsewhere.get() != null) {
                caStore.sessions().release(d.id(), "node-elsewhere", elsewhere.get().entry().epoch(), Instant.now()).join();
            }
        }
    }

    @Test
    void a_session_taken_the_bus_refused_once_is_sent_again_and_closes_the_old_session() throws Exception {
        HubFixture.Device d = device("multi-taken-retry");
        PahoHubIT.Conn onA = connect(d, HOST_A);
        PahoHubIT.Conn onB = null;
        try {
            net.failing.put(NodeMessage.SESSION_TAKEN, new java.util.concurrent.atomic.AtomicLong(1));
            onB = connect(d, HOST_B);
            assertThat(onA.lost.await(5, TimeUnit.SECONDS)).as("A's session closed by the second try").isTrue();
            assertThat(net.failing.get(NodeMessage.SESSION_TAKEN).get()).as("the first send failed").isZero();
            // the client can see the close before node A's close listener has forgotten the session
            await().atMost(Duration.ofSeconds(5)).until(() -> !a.hub().isConnected(d.id()));
            assertThat(holder(d.id()).node()).isEqualTo("node-b");
        } finally {
            net.failing.remove(NodeMessage.SESSION_TAKEN);
            onA.close();
            if (onB != null) {
                onB.close();
            }
        }
    }

    @Test
    void a_method_from_node_a_is_answered_by_the_device_on_node_b() throws Exception {
        HubFixture.Device d = device("multi-method");
        PahoHubIT.Conn onB = connect(d, HOST_B);
        try {
            onB.client.subscribe("$iothub/methods/POST/#", 0);
            var call = a.backend().invokeMethod(d.id(), "reboot", "{\"delay\":1}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
            String req = onB.received.poll(5, TimeUnit.SECONDS);
            assertThat(req).startsWith("$iothub/methods/POST/reboot/?$rid=").endsWith(" {\"delay\":1}");
            String rid = req.substring(req.indexOf("$rid=") + 5, req.indexOf(' '));
            onB.client.publish("$iothub/methods/res/201/?$rid=" + rid, "{\"ok\":true}".getBytes(StandardCharsets.UTF_8), 0, false);
            MethodResult r = call.get(5, TimeUnit.SECONDS);
            assertThat(r).isEqualTo(new MethodResult(201, "{\"ok\":true}"));
            // the answer (a database write on a PostgreSQL bus) leaves from B's backend thread, not from the event loop
            assertThat(net.senders.get(NodeMessage.METHOD_RESULT)).isNotEmpty().allMatch(t -> t.startsWith("imprint-backend-"));
        } finally {
            onB.close();
        }
    }

    @Test
    void a_method_to_a_session_that_closed_after_it_was_looked_up_fails_at_once_with_device_offline() throws Exception {
        HubFixture.Device d = device("multi-left");
        PahoHubIT.Conn onB = connect(d, HOST_B);
        DeviceSession s;
        try {
            onB.client.subscribe("$iothub/methods/POST/#", 0);
            s = b.hub().session(d.id()).orElseThrow();
        } finally {
            onB.close();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> !b.hub().isConnected(d.id()));
        // the inbox found the session just before it closed: its onClose already failed the pending methods
        CompletableFuture<MethodResult> call = s.invoke("reboot", new byte[0], Duration.ofSeconds(30));
        assertThatThrownBy(() -> call.get(2, TimeUnit.SECONDS)).hasCauseInstanceOf(HubException.class)
                .satisfies(e -> assertThat(((HubException) e.getCause()).code()).isEqualTo("DEVICE_OFFLINE"));
    }

    @Test
    void a_closed_backend_leaves_messages_to_the_bus_instead_of_taking_and_dropping_them() {
        NodeBus closing = net.node("node-closing");
        try {
            new HubBackend(admin.store(), closing, List.of()).close();
            admin.bus().send("node-closing", NodeMessage.of(NodeMessage.C2D_READY, admin.name(), "multi-closing", 1));
            await().atMost(Duration.ofSeconds(5)).until(() -> net.waiting("node-closing").size() == 1);
        } finally {
            closing.close();
        }
    }

    @Test
    void a_disable_committed_while_the_claim_was_on_its_way_refuses_the_connect_and_leaves_no_session() throws Exception {
        HubFixture.Device d = device("multi-disable-race");
        ClaimHookStore hooked = new ClaimHookStore(JdbcStore.sqlite(dir.resolve("imprint.db")));
        // the disable lands after admit() read the registry and before the claim is known here: its
        // DEVICE_CHANGED went to whoever the directory named before (nobody), never to node C
        hooked.afterClaim = id -> caStore.deviceRegistry().setEnabled(id, false, Instant.now());
        try (Node c = Node.start("node-c", "127.0.7.3", hooked)) {
            assertThatThrownBy(() -> connect(d, "127.0.7.3")).isInstanceOf(MqttException.class);
            assertThat(c.hub().isConnected(d.id())).isFalse();
            await().atMost(Duration.ofSeconds(5)).until(() -> admin.store().sessions().find(d.id()).isEmpty());
            // refused with its own reason
            await().atMost(Duration.ofSeconds(5)).until(() -> c.disconnects("DEVICE_DISABLED") == 1);
        }
    }

    @Test
    void a_c2d_whose_notice_was_lost_is_delivered_by_the_holders_backstop() throws Exception {
        HubFixture.Device d = device("multi-backstop");
        PahoHubIT.Conn onB = connect(d, HOST_B);
        try {
            onB.client.subscribe("devices/multi-backstop/messages/devicebound/#", 1);
            assertThat(b.hub().drainQueuedC2d()).as("nothing queued, nothing asked").isZero();
            // queued without a C2D_READY (as when the notice was lost)
            Instant now = Instant.now();
            caStore.cloudToDevice().enqueue(new dev.imprint.store.C2dMessage(0, d.id(), "lost-notice", "{}",
                    "late".getBytes(StandardCharsets.UTF_8), now, now.plusSeconds(60)));
            assertThat(b.hub().drainQueuedC2d()).isEqualTo(1);
            String got = onB.received.poll(5, TimeUnit.SECONDS);
            assertThat(got).startsWith("devices/multi-backstop/messages/devicebound/").endsWith(" late");
            await().atMost(Duration.ofSeconds(5)).until(() -> caStore.cloudToDevice().pending(d.id(), Instant.now(), 10).isEmpty());
            assertThat(a.hub().drainQueuedC2d()).isZero();
        } finally {
            onB.close();
        }
    }

    @Test
    void a_stale_holder_answers_device_moved_and_the_request_is_sent_once_more_to_the_new_holder() throws Exception {
        HubFixture.Device d = device("multi-moved");
        // the directory names a node that is about to lose the device: the device connects to B
        // while the request is on its way, and the stale node answers DEVICE_MOVED (the race of Hono #1632)
        NodeBus stale = net.node("node-stale");
        CompletableFuture<PahoHubIT.Conn> onB = new CompletableFuture<>();
        try {
            admin.store().sessions().claim(d.id(), HUB, "node-stale", Instant.now()).join();
            stale.onMessage(m -> {
                if (!m.type().equals(NodeMessage.METHOD_INVOKE)) {
                    return;
                }
                try {
                    PahoHubIT.Conn c = connect(d, HOST_B);
                    c.client.subscribe("$iothub/methods/POST/#", 0);
                    onB.complete(c);
                } catch (MqttException e) {
                    onB.completeExceptionally(e);
                }
                stale.send(m.from(), new NodeMessage(NodeMessage.DEVICE_MOVED, stale.self(), m.deviceId(), m.epoch(), m.correlation(), null));
            });
            var call = a.backend().invokeMethod(d.id(), "hello", "{}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
            PahoHubIT.Conn device = onB.get(10, TimeUnit.SECONDS);
            String req = device.received.poll(5, TimeUnit.SECONDS);
            assertThat(req).startsWith("$iothub/methods/POST/hello/?$rid=");
            String rid = req.substring(req.indexOf("$rid=") + 5, req.indexOf(' '));
            device.client.publish("$iothub/methods/res/200/?$rid=" + rid, "\"hi\"".getBytes(StandardCharsets.UTF_8), 0, false);
            assertThat(call.get(5, TimeUnit.SECONDS)).isEqualTo(new MethodResult(200, "\"hi\""));
            assertThat(holder(d.id()).node()).isEqualTo("node-b");
        } finally {
            stale.close();
            onB.thenAccept(PahoHubIT.Conn::close);
        }
    }

    @Test
    void a_method_to_a_device_that_is_not_listening_is_answered_device_offline_at_once() throws Exception {
        HubFixture.Device never = device("multi-offline");
        long t0 = System.nanoTime();
        assertOffline(admin.backend(), never.id());
        HubFixture.Device deaf = device("multi-deaf");
        PahoHubIT.Conn onB = connect(deaf, HOST_B);
        try {
            // connected on B, not subscribed to methods: B answers at once
            assertOffline(a.backend(), deaf.id());
        } finally {
            onB.close();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
    }

    private static void assertOffline(HubBackend from, String id) {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> from.invokeMethod(id, "ping", new byte[0], Duration.ofSeconds(30)).join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(HubException.class)
                .satisfies(e -> assertThat(((HubException) e).code()).isEqualTo("DEVICE_OFFLINE"));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void desired_patches_from_the_admin_node_reach_a_device_on_node_b_every_version_in_order() throws Exception {
        HubFixture.Device d = device("multi-twin");
        PahoHubIT.Conn onB = connect(d, HOST_B);
        try {
            onB.client.subscribe("$iothub/twin/PATCH/properties/desired/#", 0);
            for (int i = 1; i <= 30; i++) {
                admin.backend().updateDesired(d.id(), "{\"n\":" + i + "}");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> onB.received.size() >= 30);
            List<Long> versions = new ArrayList<>();
            for (String m : onB.received) {
                Matcher v = VERSION.matcher(m);
                assertThat(v.find()).isTrue();
                versions.add(Long.parseLong(v.group(1)));
            }
            List<Long> expected = new ArrayList<>();
            for (long v = versions.get(0); v < versions.get(0) + 30; v++) {
                expected.add(v);
            }
            assertThat(versions).isEqualTo(expected);
        } finally {
            onB.close();
        }
    }

    private static final String DESIRED = "$iothub/twin/PATCH/properties/desired/#";

    @Test
    void desired_notices_out_of_order_twice_or_from_before_the_session_push_each_version_once_in_order() throws Exception {
        HubFixture.Device d = device("multi-twin-order");
        // committed before the session: the device reads it with its twin GET, it is never pushed
        long before = caStore.twins().patchDesired(d.id(), "{\"before\":true}").desiredVersion();
        PahoHubIT.Conn onB = connect(d, HOST_B);
        try {
            onB.client.subscribe(DESIRED, 0);
            DeviceSession s = b.hub().session(d.id()).orElseThrow();
            List<Long> v = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                v.add(caStore.twins().patchDesired(d.id(), "{\"n\":" + i + "}").desiredVersion());
            }
            // two senders on two nodes: the notices cross, one comes twice, a stale one comes late
            s.pushDesired(before, "{\"before\":true}");
            for (int i : new int[] {1, 0, 0, 2, 5, 3, 4, 1}) {
                s.pushDesired(v.get(i), "{\"n\":" + i + "}");
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> onB.received.size() >= 6);
            // nothing else was queued before this last one
            s.pushDesired(v.get(6), "{\"n\":6}");
            await().atMost(Duration.ofSeconds(5)).until(() -> onB.received.size() >= 7);
            List<String> got = new ArrayList<>(onB.received);
            assertThat(got).hasSize(7);
            for (int i = 0; i < 7; i++) {
                assertThat(version(got.get(i))).isEqualTo(v.get(i));
                assertThat(got.get(i)).contains("\"n\":" + i + ",");
            }
        } finally {
            onB.close();
        }
    }

    @Test
    void a_lost_desired_notice_is_filled_from_the_twin_read_again_and_the_next_patches_follow() throws Exception {
        HubFixture.Device d = device("multi-twin-gap");
        PahoHubIT.Conn onB = connect(d, HOST_B);
        try {
            onB.client.subscribe(DESIRED, 0);
            DeviceSession s = b.hub().session(d.id()).orElseThrow();
            long v1 = caStore.twins().patchDesired(d.id(), "{\"a\":1}").desiredVersion();
            long v2 = caStore.twins().patchDesired(d.id(), "{\"b\":2}").desiredVersion();
            // v1's notice was lost: v2 waits, then the twin is read again
            s.pushDesired(v2, "{\"b\":2}");
            await().atMost(Duration.ofSeconds(5)).until(() -> onB.received.size() >= 1);
            long v3 = caStore.twins().patchDesired(d.id(), "{\"c\":3}").desiredVersion();
            // late and repeated notices of what the twin read already covered push nothing
            s.pushDesired(v1, "{\"a\":1}");
            s.pushDesired(v2, "{\"b\":2}");
            s.pushDesired(v3, "{\"c\":3}");
            await().atMost(Duration.ofSeconds(5)).until(() -> onB.received.size() >= 2);
            List<String> got = new ArrayList<>(onB.received);
            assertThat(got).hasSize(2);
            assertThat(version(got.get(0))).isEqualTo(v2);
            String whole = got.get(0).substring(got.get(0).indexOf(' ') + 1);
            assertThat(NodeInbox.JSON.readTree(whole)).isEqualTo(NodeInbox.JSON.readTree("{\"a\":1,\"b\":2,\"$version\":" + v2 + "}"));
            assertThat(version(got.get(1))).isEqualTo(v3);
            assertThat(got.get(1)).endsWith(" {\"c\":3,\"$version\":" + v3 + "}");
        } finally {
            onB.close();
        }
    }

    private static long version(String received) {
        Matcher m = VERSION.matcher(received);
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void the_revocation_doorbell_closes_the_session_on_the_node_holding_it_within_a_second() throws Exception {
        HubFixture.Device d = device("multi-revoked");
        PahoHubIT.Conn onB = connect(d, HOST_B);
        try {
            // written by a CA on another node, which rings the doorbell after its commit
            caStore.certificates().revoke(d.serial(), 1, Instant.now());
            net.ring("revocations");
            assertThat(onB.lost.await(1, TimeUnit.SECONDS)).isTrue();
        } finally {
            onB.close();
        }
    }

    @Test
    void without_the_doorbell_the_backstop_closes_a_revoked_session_within_six_seconds() throws Exception {
        HubFixture.Device d = device("multi-revoked-quietly");
        PahoHubIT.Conn onA = connect(d, HOST_A);
        try {
            long t0 = System.nanoTime();
            caStore.certificates().revoke(d.serial(), 1, Instant.now());
            assertThat(onA.lost.await(7, TimeUnit.SECONDS)).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(6));
        } finally {
            onA.close();
        }
    }

    @Test
    void disabling_a_device_held_by_another_node_closes_its_session_within_a_second() throws Exception {
        HubFixture.Device d = device("multi-disabled");
        PahoHubIT.Conn onB = connect(d, HOST_B);
        try {
            double before = b.disconnects("DEVICE_DISABLED");
            caStore.deviceRegistry().setEnabled(d.id(), false, Instant.now());
            admin.backend().deviceChanged(d.id());
            assertThat(onB.lost.await(1, TimeUnit.SECONDS)).isTrue();
            assertThat(b.disconnects("DEVICE_DISABLED")).isEqualTo(before + 1);
        } finally {
            onB.close();
        }
    }

    @Test
    void the_config_doorbell_closes_the_sessions_of_a_disabled_enrollment_on_every_node_within_a_second() throws Exception {
        Instant now = Instant.now();
        caStore.enrollments().add(new EnrollmentRecord("multi-enrollment", "individual", null, null, "multi-enrolled", "static",
                "{}", List.of(HUB), "{}", "{}", "never", true, now, now));
        HubFixture.Device d = HubFixture.issue(ca, "multi-enrolled", "manufacturing");
        caStore.deviceRegistry().save(new DeviceRecord(d.id(), HUB, true, "multi-enrollment", "{}", "{}", "assigned", "initialAssignment",
                d.serial(), 0, now, now), null);
        PahoHubIT.Conn onB = connect(d, HOST_B);
        try {
            double before = b.disconnects("ENROLLMENT_DISABLED");
            caStore.enrollments().setEnabled("multi-enrollment", false, Instant.now());
            net.ring("config");
            assertThat(onB.lost.await(1, TimeUnit.SECONDS)).isTrue();
            assertThat(b.disconnects("ENROLLMENT_DISABLED")).isEqualTo(before + 1);
        } finally {
            onB.close();
        }
    }

    private static List<String> bodies(PahoHubIT.Conn c) {
        return c.received.stream().map(m -> m.substring(m.lastIndexOf(' ') + 1)).toList();
    }

    private static Set<String> received(PahoHubIT.Conn... conns) {
        Set<String> all = new HashSet<>();
        for (PahoHubIT.Conn c : conns) {
            all.addAll(bodies(c));
        }
        return all;
    }

    /** Strictly increasing message numbers (a QoS 1 redelivery after the reconnect lands on the other client). */
    private static boolean ordered(List<String> bodies) {
        int last = -1;
        for (String s : bodies) {
            int n = Integer.parseInt(s.substring(1));
            if (n <= last) {
                return false;
            }
            last = n;
        }
        return true;
    }
}
