package dev.imprint.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imprint.hub.Hub;
import dev.imprint.hub.telemetry.WebhookWriter;
import dev.imprint.kafka.broker.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paho devices publish QoS 1 telemetry through a hub whose durable step is a real Kafka broker
 * (forked JVM), stopped and restarted mid-stream: PUBACKs are withheld while it is away, every
 * PUBACKed message is in the topic afterwards, in order per device; past the bound a session
 * ends with {@code KAFKA_UNAVAILABLE}. Devices x messages: {@code -Dimprint.kafka.it.devices}
 * (10) x {@code -Dimprint.kafka.it.messages} (1,000; the issue's 10,000 fits a quiet machine).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TelemetryOnKafkaIT {
    static final int DEVICES = Integer.getInteger("imprint.kafka.it.devices", 10);
    static final int MESSAGES = Integer.getInteger("imprint.kafka.it.messages", 1_000);
    static final int WINDOW = 16;
    static final String TOPIC = KafkaSettings.DEFAULT_TELEMETRY_TOPIC;
    static final String KILL_HOST = "127.0.15.4";
    static final int KILL_DEVICES = 3;

    // kept when a test fails: the broker's own log is in kafka/broker.log
    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    static Path dir;
    static KafkaBroker broker;
    static KafkaHubFixture fx;
    static KafkaEventRelay relay;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.start(dir.resolve("kafka"), KafkaHubFixture.HOST, 0);
        fx = new KafkaHubFixture(dir.resolve("imprint"));
        relay = KafkaEventRelay.start(KafkaSettings.of(broker.bootstrap()), fx.store.deviceEvents(), fx.bus.self());
    }

    @AfterAll
    static void stop() {
        if (relay != null) {
            relay.close();
        }
        if (fx != null) {
            fx.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** One device publishing seq 0..n-1 with at most {@link #WINDOW} unacknowledged. */
    static final class Publisher implements MqttCallback {
        final String id;
        final MqttAsyncClient client;
        final Semaphore window = new Semaphore(WINDOW);
        final AtomicLong acked = new AtomicLong();
        final java.util.Set<Integer> ackedSeqs = ConcurrentHashMap.newKeySet();
        final AtomicLong failed = new AtomicLong();
        final CountDownLatch lost = new CountDownLatch(1);
        final Thread thread;

        Publisher(KafkaHubFixture.Device d, Hub hub, int n) throws Exception {
            this(d.id(), d.ssl(), KafkaHubFixture.HOST, hub.settings().port(), n);
        }

        Publisher(String id, javax.net.ssl.SSLContext ssl, String host, int port, int n) throws Exception {
            this.id = id;
            client = new MqttAsyncClient("ssl://" + host + ":" + port, id, new MemoryPersistence());
            client.setCallback(this);
            MqttConnectOptions o = new MqttConnectOptions();
            o.setSocketFactory(ssl.getSocketFactory());
            o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            o.setCleanSession(true);
            o.setAutomaticReconnect(false);
            o.setMaxInflight(WINDOW);
            o.setKeepAliveInterval(120);
            client.connect(o).waitForCompletion(20_000);
            thread = new Thread(() -> run(n), "publisher-" + id);
            thread.setDaemon(true);
        }

        private void run(int n) {
            String prefix = "devices/" + id + "/messages/events/";
            IMqttActionListener done = new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken t) {
                    ackedSeqs.add((Integer) t.getUserContext());
                    acked.incrementAndGet();
                    window.release();
                }

                @Override
                public void onFailure(IMqttToken t, Throwable e) {
                    failed.incrementAndGet();
                    window.release();
                }
            };
            try {
                for (int seq = 0; seq < n && lost.getCount() > 0; seq++) {
                    window.acquire();
                    String topic = prefix + "%24.mid=" + id + "-" + seq + "&%24.ct=text%2Fplain&seq=" + seq;
                    MqttMessage m = new MqttMessage(Integer.toString(seq).getBytes(StandardCharsets.US_ASCII));
                    m.setQos(1);
                    client.publish(topic, m, seq, done);
                }
            } catch (Exception e) {
                failed.incrementAndGet();
            }
        }

        @Override
        public void connectionLost(Throwable cause) {
            lost.countDown();
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {}

        @Override
        public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {}

        void close() {
            try {
                if (client.isConnected()) {
                    client.disconnect().waitForCompletion(2_000);
                }
                client.close(true);
            } catch (Exception ignored) {
                // already gone
            }
        }
    }

    /** Received node messages by sender, bodies as ints in arrival order. */
    private static Map<String, List<Integer>> collect(dev.imprint.cluster.NodeBus bus) {
        Map<String, List<Integer>> got = new ConcurrentHashMap<>();
        bus.onMessage(m -> got.computeIfAbsent(m.from(), f -> new java.util.concurrent.CopyOnWriteArrayList<>())
                .add(Integer.parseInt(new String(m.body(), StandardCharsets.UTF_8))));
        return got;
    }

    private static dev.imprint.cluster.NodeMessage nodeMessage(String from, int i) {
        return new dev.imprint.cluster.NodeMessage(dev.imprint.cluster.NodeMessage.C2D_READY, from, "dev-" + i, i, "c-" + i,
                Integer.toString(i).getBytes(StandardCharsets.UTF_8));
    }

    private static final KafkaBus.Topics BUS_TOPICS = new KafkaBus.Topics("it.node.", "it.doorbells");

    @Test
    @Order(0)
    void two_kafka_bus_nodes_exchange_messages_in_order_and_hear_each_others_doorbells() throws Exception {
        try (KafkaBus a = KafkaBus.start("node-a", broker.bootstrap(), BUS_TOPICS);
                KafkaBus b = KafkaBus.start("node-b", broker.bootstrap(), BUS_TOPICS)) {
            Map<String, List<Integer>> atA = collect(a);
            Map<String, List<Integer>> atB = collect(b);
            java.util.concurrent.atomic.AtomicInteger rungA = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger rungB = new java.util.concurrent.atomic.AtomicInteger();
            a.onDoorbell("revocations", rungA::incrementAndGet);
            b.onDoorbell("revocations", rungB::incrementAndGet);
            b.onDoorbell("config", () -> { throw new AssertionError("another doorbell"); });

            long t0 = System.nanoTime();
            Thread fromB = new Thread(() -> {
                for (int i = 0; i < 200; i++) {
                    b.send("node-a", nodeMessage("node-b", i));
                }
            });
            fromB.start();
            for (int i = 0; i < 200; i++) {
                a.send("node-b", nodeMessage("node-a", i));
            }
            fromB.join();
            await().atMost(Duration.ofSeconds(30)).until(() -> atA.getOrDefault("node-b", List.of()).size() >= 200
                    && atB.getOrDefault("node-a", List.of()).size() >= 200);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            List<Integer> upTo200 = java.util.stream.IntStream.range(0, 200).boxed().toList();
            assertThat(atB.get("node-a")).containsExactlyElementsOf(upTo200);
            assertThat(atA.get("node-b")).containsExactlyElementsOf(upTo200);

            // a ring is heard by the ringer (at once) and by the other node (through the doorbell topic)
            a.ring("revocations");
            await().atMost(Duration.ofSeconds(10)).until(() -> rungA.get() >= 1 && rungB.get() >= 1);
            int before = rungA.get();
            b.ring("revocations");
            await().atMost(Duration.ofSeconds(10)).until(() -> rungA.get() > before);

            // a full-size body and every field cross; a message to itself skips Kafka
            List<dev.imprint.cluster.NodeMessage> got = java.util.Collections.synchronizedList(new ArrayList<>());
            a.onMessage(got::add);
            byte[] full = new byte[dev.imprint.cluster.NodeMessage.MAX_BODY_BYTES];
            full[full.length - 1] = 42;
            b.send("node-a", new dev.imprint.cluster.NodeMessage(dev.imprint.cluster.NodeMessage.METHOD_RESULT, "node-b", "dev-1", 3,
                    "corr-1", full));
            a.send("node-a", nodeMessage("node-a", 7));
            await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 2);
            dev.imprint.cluster.NodeMessage m = got.stream().filter(x -> x.from().equals("node-b")).findFirst().orElseThrow();
            assertThat(m.type()).isEqualTo(dev.imprint.cluster.NodeMessage.METHOD_RESULT);
            assertThat(m.deviceId()).isEqualTo("dev-1");
            assertThat(m.epoch()).isEqualTo(3);
            assertThat(m.correlation()).isEqualTo("corr-1");
            assertThat(m.body()).isEqualTo(full);
            System.out.println("FIGURE kafka bus: 2 x 200 messages between 2 nodes (each send waits for acks=all) delivered in "
                    + ms + " ms");
        }
    }

    @Test
    @Order(0)
    void a_kafka_bus_node_holds_messages_until_its_handler_is_set_and_drops_what_came_while_it_was_down_like_pg_bus() {
        try (KafkaBus a = KafkaBus.start("node-a", broker.bootstrap(), BUS_TOPICS)) {
            KafkaBus b = KafkaBus.start("node-c", broker.bootstrap(), BUS_TOPICS);
            a.send("node-c", nodeMessage("node-a", 0));
            a.send("node-c", nodeMessage("node-a", 1));
            Map<String, List<Integer>> atC = collect(b);
            await().atMost(Duration.ofSeconds(10)).until(() -> atC.getOrDefault("node-a", List.of()).size() == 2);
            assertThat(atC.get("node-a")).containsExactly(0, 1);
            b.close();

            a.send("node-c", nodeMessage("node-a", 2));  // written: PgBus too writes a row its janitor drops later
            try (KafkaBus again = KafkaBus.start("node-c", broker.bootstrap(), BUS_TOPICS)) {
                Map<String, List<Integer>> atAgain = collect(again);
                a.send("node-c", nodeMessage("node-a", 3));
                await().atMost(Duration.ofSeconds(10)).until(() -> atAgain.getOrDefault("node-a", List.of()).contains(3));
                // one partition, key = sender: had 2 been read, it would have come before 3
                assertThat(atAgain.get("node-a")).containsExactly(3);
            }
        }
    }

    /** This node's bus, counting the messages of one type it hands on: which path delivered is then known, not guessed from timing. */
    private static final class Counting implements dev.imprint.cluster.NodeBus {
        final KafkaBus inner;
        final java.util.concurrent.atomic.AtomicInteger c2dReady = new java.util.concurrent.atomic.AtomicInteger();

        Counting(KafkaBus inner) {
            this.inner = inner;
        }

        @Override
        public String self() {
            return inner.self();
        }

        @Override
        public void send(String node, dev.imprint.cluster.NodeMessage message) {
            inner.send(node, message);
        }

        @Override
        public void onMessage(java.util.function.Consumer<dev.imprint.cluster.NodeMessage> handler) {
            inner.onMessage(m -> {
                if (m.type().equals(dev.imprint.cluster.NodeMessage.C2D_READY)) {
                    c2dReady.incrementAndGet();
                }
                handler.accept(m);
            });
        }

        @Override
        public void ring(String doorbell) {
            inner.ring(doorbell);
        }

        @Override
        public void onDoorbell(String doorbell, Runnable handler) {
            inner.onDoorbell(doorbell, handler);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    @Test
    @Order(0)
    void c2d_sent_through_node_a_reaches_a_device_on_node_b_through_the_kafka_bus() throws Exception {
        String hubName = "hub-kbus";
        try (Counting busA = new Counting(KafkaBus.start("kbus-a", broker.bootstrap(), BUS_TOPICS));
                Counting busB = new Counting(KafkaBus.start("kbus-b", broker.bootstrap(), BUS_TOPICS))) {
            Hub hubA = fx.node(hubName, "127.0.17.1", busA);
            Hub hubB = fx.node(hubName, "127.0.17.2", busB);
            try (dev.imprint.hub.HubBackend backendA = new dev.imprint.hub.HubBackend(fx.store, busA, List.of(hubA));
                    dev.imprint.hub.HubBackend backendB = new dev.imprint.hub.HubBackend(fx.store, busB, List.of(hubB))) {
                KafkaHubFixture.Device d = fx.device("kbus-c2d", hubName);
                List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
                MqttAsyncClient onB = new MqttAsyncClient("ssl://127.0.17.2:" + hubB.settings().port(), d.id(), new MemoryPersistence());
                try {
                    onB.setCallback(new MqttCallback() {
                        @Override
                        public void connectionLost(Throwable cause) {}

                        @Override
                        public void messageArrived(String topic, MqttMessage message) {
                            received.add(new String(message.getPayload(), StandardCharsets.UTF_8));
                        }

                        @Override
                        public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {}
                    });
                    MqttConnectOptions o = new MqttConnectOptions();
                    o.setSocketFactory(d.ssl().getSocketFactory());
                    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
                    o.setCleanSession(false);
                    o.setAutomaticReconnect(false);
                    onB.connect(o).waitForCompletion(20_000);
                    onB.subscribe("devices/" + d.id() + "/messages/devicebound/#", 1).waitForCompletion(20_000);
                    await().atMost(Duration.ofSeconds(10)).until(() -> fx.store.sessions().find(d.id())
                            .map(e -> e.node().equals("kbus-b")).orElse(false));
                    for (int i = 0; i < 5; i++) {
                        backendA.sendC2d(d.id(), ("m" + i).getBytes(StandardCharsets.UTF_8), Map.of(), null);
                    }
                    await().atMost(Duration.ofSeconds(20)).until(() -> received.size() >= 5);
                    assertThat(received).containsExactly("m0", "m1", "m2", "m3", "m4");
                    assertThat(busB.c2dReady.get()).as("C2D_READY notices node B took from its Kafka inbox").isGreaterThanOrEqualTo(1);
                } finally {
                    if (onB.isConnected()) {
                        onB.disconnect().waitForCompletion(5_000);
                    }
                    onB.close();
                }
            } finally {
                hubA.close();
                hubB.close();
            }
        }
    }

    @Test
    @Order(1)
    void every_acknowledged_message_is_in_the_topic_in_device_order_across_a_broker_restart() throws Exception {
        Hub hub = fx.hub("hub-kafka", KafkaSettings.of(broker.bootstrap()));
        List<Publisher> devices = new ArrayList<>();
        for (int i = 0; i < DEVICES; i++) {
            devices.add(new Publisher(fx.device("kdev-" + i, hub.name()), hub, MESSAGES));
        }
        long total = (long) DEVICES * MESSAGES;
        long t0 = System.nanoTime();
        devices.forEach(p -> p.thread.start());
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> acked(devices) >= total * 3 / 10);
            long stopAt = System.nanoTime();
            long pid = broker.pid();
            broker.stop();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("broker process ended").isFalse();
            long ackedAtStop = acked(devices);
            // the broker is gone: every device's window fills with messages whose PUBACK is withheld
            await().atMost(Duration.ofSeconds(30)).until(() -> devices.stream().allMatch(p -> p.window.availablePermits() == 0));
            long ackedWhileAway = acked(devices) - ackedAtStop;
            long stoppedAt = System.nanoTime();
            System.out.printf("[kafka] broker stopped in %.1f s with %d acked; %d more while away%n", (stoppedAt - stopAt) / 1e9,
                    ackedAtStop, ackedWhileAway);
            broker.restart();
            long restartedAt = System.nanoTime();
            System.out.printf("[kafka] broker back in %.1f s%n", (restartedAt - stoppedAt) / 1e9);
            await().atMost(Duration.ofSeconds(150)).until(() -> acked(devices) + failed(devices) >= total);

            assertThat(failed(devices)).as("QoS 1 publishes that failed").isZero();
            assertThat(devices).allMatch(p -> p.lost.getCount() == 1, "no session ended");
            assertThat(ackedWhileAway).as("PUBACKs sent while Kafka was away").isLessThanOrEqualTo(DEVICES * WINDOW);

            Map<String, List<Integer>> read = readTopic(devices.size(), MESSAGES);
            int duplicates = 0;
            for (Publisher p : devices) {
                List<Integer> seqs = read.getOrDefault(p.id, List.of());
                int next = 0;
                for (int s : seqs) {
                    if (s < next) {
                        duplicates++;
                    } else {
                        assertThat(s).as("device %s: next new message in the topic", p.id).isEqualTo(next);
                        next++;
                    }
                }
                assertThat(next).as("device %s: distinct messages in the topic", p.id).isEqualTo(MESSAGES);
            }
            System.out.printf("[kafka] %d devices x %d QoS 1 messages through the hub, broker stopped after %d acked and restarted: "
                    + "all %d in the topic in device order, %d duplicates; %d PUBACKs while away; outage %.1f s (start %.1f s); "
                    + "%.0f msgs/s before the outage%n", DEVICES, MESSAGES, ackedAtStop, total, duplicates, ackedWhileAway,
                    (restartedAt - stopAt) / 1e9, (restartedAt - stoppedAt) / 1e9, ackedAtStop / ((stopAt - t0) / 1e9));
        } finally {
            devices.forEach(Publisher::close);
        }
    }

    @Test
    @Order(2)
    void a_devices_issue_connect_twin_report_rotation_revocation_and_disconnect_reach_the_events_topic_in_order() throws Exception {
        Hub hub = fx.hub("hub-events", KafkaSettings.of(broker.bootstrap()));
        KafkaHubFixture.Device d = fx.device("kev-1", hub.name());
        Publisher p = new Publisher(d, hub, 1);
        try {
            p.thread.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> p.acked.get() == 1);
            MqttMessage patch = new MqttMessage("{\"fw\":\"2.0\"}".getBytes(StandardCharsets.UTF_8));
            patch.setQos(1);
            p.client.publish("$iothub/twin/PATCH/properties/reported/?$rid=1", patch).waitForCompletion(10_000);
            await().atMost(Duration.ofSeconds(10)).until(() -> fx.store.twins().get("kev-1").reportedVersion() == 2);
            KafkaHubFixture.Device rotated = fx.rotate(d);
            fx.ca.revocation().revoke(d.serial(), 1, "admin:test");
            assertThat(p.lost.await(10, TimeUnit.SECONDS)).as("the revoked session ended").isTrue();
            List<com.fasterxml.jackson.databind.JsonNode> events = readEvents("kev-1", 6);
            assertThat(events).extracting(e -> e.get("type").asText()).containsExactly("certificate.issued", "connected",
                    "twin.reported", "certificate.rotated", "certificate.revoked", "disconnected");
            assertThat(events.get(2).get("version").asLong()).isEqualTo(2);
            assertThat(events.get(2).get("reported").get("fw").asText()).isEqualTo("2.0");
            assertThat(events.get(3).get("serial").asText()).isEqualTo(rotated.serial());
            assertThat(events.get(4).get("reason").asInt()).isEqualTo(1);
            assertThat(events.get(5).get("reason").asText()).isEqualTo("REVOKED");
            assertThat(events).extracting(e -> e.get("eventId").asText()).doesNotHaveDuplicates();
        } finally {
            p.close();
        }
    }

    @Test
    @Order(3)
    void the_webhook_worker_and_follow_resume_after_a_restart_without_loss_or_replay() throws Exception {
        KafkaSettings k = KafkaSettings.of(broker.bootstrap());
        try (WebhookReceiver webhook = new WebhookReceiver(2); KafkaEgress sink = new KafkaEgress(k, "hub-sink", "node-it", fx.meters);
                KafkaEgress other = new KafkaEgress(k, "hub-other", "node-it", fx.meters)) {
            appendAll(sink, "ksink", 0, 100);
            appendAll(other, "kother", 0, 10);
            KafkaSinkWorker worker = KafkaSinkWorker.start(k, "it-webhook", "hub-sink", new WebhookWriter(webhook.url()), fx.meters);
            await().atMost(Duration.ofSeconds(30)).until(() -> webhook.received().size() == 100);
            worker.close();
            // written while the worker is away: the restarted worker must take these, and only these
            appendAll(sink, "ksink", 100, 200);
            worker = KafkaSinkWorker.start(k, "it-webhook", "hub-sink", new WebhookWriter(webhook.url()), fx.meters);
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> webhook.received().size() >= 200);
            } finally {
                worker.close();
            }
            assertThat(webhook.refused()).as("POSTs answered 503, written again").isEqualTo(2);
            assertThat(webhook.received()).as("each message once, none of another hub's")
                    .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, 200).mapToObj(i -> "ksink-" + (i % 4) + ":" + i).toList());
        }

        // a follower stopped after 4 of a device's 10 messages; the next of its group goes on at the 5th
        try (KafkaEgress egress = new KafkaEgress(k, "hub-sink", "node-it", fx.meters)) {
            for (int i = 0; i < 10; i++) {
                egress.append(new dev.imprint.store.TelemetryRecord(0, "kfollow", "hub-sink", java.time.Instant.now(), "{}",
                        Integer.toString(i).getBytes(StandardCharsets.US_ASCII))).get(30, TimeUnit.SECONDS);
            }
        }
        assertThat(follow("it-follow", true, 4)).containsExactly(0, 1, 2, 3);
        assertThat(follow("it-follow", false, 6)).containsExactly(4, 5, 6, 7, 8, 9);
    }

    /** Messages {@code from..to-1} of devices {@code prefix-0..3}, body {@code {"i":N}}, each acknowledged by Kafka. */
    private static void appendAll(KafkaEgress egress, String prefix, int from, int to) throws Exception {
        List<java.util.concurrent.CompletableFuture<Void>> acks = new ArrayList<>();
        for (int i = from; i < to; i++) {
            acks.add(egress.append(new dev.imprint.store.TelemetryRecord(0, prefix + "-" + (i % 4), "hub", java.time.Instant.now(), "{\"$.mid\":\"m" + i
                    + "\"}", ("{\"i\":" + i + "}").getBytes(StandardCharsets.US_ASCII))));
        }
        java.util.concurrent.CompletableFuture.allOf(acks.toArray(java.util.concurrent.CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }

    /** {@code kfollow}'s messages as {@code imprint telemetry --follow --group GROUP} reads them, stopping after {@code n}. */
    private static List<Integer> follow(String group, boolean fromBeginning, int n) throws Exception {
        List<Integer> got = new ArrayList<>();
        java.util.concurrent.ExecutorService reader = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            reader.submit(() -> KafkaTail.follow(broker.bootstrap(), TOPIC, group, "kfollow", fromBeginning, line -> {
                got.add(Integer.parseInt(new String(line.value(), StandardCharsets.US_ASCII)));
                return got.size() < n;
            })).get(30, TimeUnit.SECONDS);
        } finally {
            reader.shutdownNow();
        }
        return got;
    }

    /** A webhook endpoint on 127.0.15.1 answering 503 to its first POSTs, then 204; records {@code deviceId:i} of each message taken. */
    static final class WebhookReceiver implements AutoCloseable {
        private final com.sun.net.httpserver.HttpServer server;
        private final List<String> received = java.util.Collections.synchronizedList(new ArrayList<>());
        private final java.util.concurrent.atomic.AtomicInteger refusals;
        private final java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();

        WebhookReceiver(int failFirst) throws java.io.IOException {
            this.refusals = new java.util.concurrent.atomic.AtomicInteger(failFirst);
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.15.1", 0), 0);
            server.createContext("/telemetry", x -> {
                byte[] body = x.getRequestBody().readAllBytes();
                if (refusals.getAndDecrement() > 0) {
                    refused.incrementAndGet();
                    x.sendResponseHeaders(503, -1);
                } else {
                    for (com.fasterxml.jackson.databind.JsonNode m : json.readTree(body)) {
                        int i = m.path("body").path("i").asInt();
                        String mid = m.path("properties").path("$.mid").asText();
                        // a property lost on the way shows in the test's comparison
                        received.add(m.path("deviceId").asText() + ":" + i + (mid.equals("m" + i) ? "" : " mid=" + mid));
                    }
                    x.sendResponseHeaders(204, -1);
                }
                x.close();
            });
            server.start();
        }

        java.net.URI url() {
            return java.net.URI.create("http://127.0.15.1:" + server.getAddress().getPort() + "/telemetry");
        }

        List<String> received() {
            synchronized (received) {
                return List.copyOf(received);
            }
        }

        int refused() {
            return refused.get();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @Test
    @Order(4)
    void kill_minus_9_of_the_hub_mid_stream_leaves_every_acknowledged_message_in_the_topic() throws Exception {
        Path child = dir.resolve("hub-child");
        java.nio.file.Files.createDirectories(child);
        Process hub = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:+UseSerialGC",
                "-Dimprint.keyFile.iterations=1000", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), KafkaHubChild.class.getName(), child.toString(),
                broker.bootstrap(), KILL_HOST, Integer.toString(KILL_DEVICES))
                .redirectErrorStream(true).redirectOutput(child.resolve("hub.log").toFile()).start();
        List<Publisher> devices = new ArrayList<>();
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> !hub.isAlive()
                    || java.nio.file.Files.readString(child.resolve("hub.log")).contains("READY "));
            String log = java.nio.file.Files.readString(child.resolve("hub.log"));
            assertThat(hub.isAlive()).as(log).isTrue();
            int port = Integer.parseInt(log.substring(log.indexOf("READY ") + 6).trim().split("\\s")[0]);
            for (int i = 0; i < KILL_DEVICES; i++) {
                String id = "kkill-" + i;
                java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
                try (java.io.InputStream in = java.nio.file.Files.newInputStream(child.resolve(id + ".p12"))) {
                    ks.load(in, "test".toCharArray());
                }
                List<java.security.cert.X509Certificate> chain = java.util.Arrays.stream(ks.getCertificateChain("device"))
                        .map(java.security.cert.X509Certificate.class::cast).toList();
                javax.net.ssl.SSLContext ssl = dev.imprint.testkit.ClientTls.context((java.security.PrivateKey) ks.getKey("device",
                        "test".toCharArray()), chain, (java.security.cert.X509Certificate) ks.getCertificate("root"));
                // more than it can send before the kill: the stream is cut mid-way
                devices.add(new Publisher(id, ssl, KILL_HOST, port, 1_000_000));
            }
            devices.forEach(p -> p.thread.start());
            await().atMost(Duration.ofSeconds(60)).until(() -> acked(devices) >= 150L * KILL_DEVICES);
            ProcessHandle.of(hub.pid()).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
            assertThat(hub.waitFor(10, TimeUnit.SECONDS)).as("hub process ended").isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> devices.stream().allMatch(p -> p.lost.getCount() == 0));

            Map<String, List<Integer>> read = readTopic(0, 0);
            long acked = 0;
            for (Publisher p : devices) {
                java.util.Set<Integer> inTopic = new java.util.HashSet<>(read.getOrDefault(p.id, List.of()));
                acked += p.ackedSeqs.size();
                assertThat(inTopic).as("device %s: PUBACKed messages in the topic", p.id).containsAll(p.ackedSeqs);
            }
            System.out.printf("[kafka] kill -9 of the hub process mid-stream: %d devices, %d PUBACKed, all in the topic%n", KILL_DEVICES, acked);
        } finally {
            devices.forEach(Publisher::close);
            if (hub.isAlive()) {
                ProcessHandle.of(hub.pid()).ifPresent(ProcessHandle::destroyForcibly);
                hub.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Order(5)
    void session_ends_with_kafka_unavailable_when_kafka_stays_away_past_the_bound() throws Exception {
        Hub hub = fx.hub("hub-short", KafkaSettings.of(broker.bootstrap()).withAckTimeout(Duration.ofSeconds(2)));
        Publisher p = new Publisher(fx.device("kdev-short", hub.name()), hub, 1);
        try {
            p.thread.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> p.acked.get() == 1);
            broker.stop();
            MqttMessage m = new MqttMessage("late".getBytes(StandardCharsets.US_ASCII));
            m.setQos(1);
            IMqttToken t = p.client.publish("devices/kdev-short/messages/events/", m);
            assertThat(p.lost.await(20, TimeUnit.SECONDS)).as("session ended").isTrue();
            assertThat(t.isComplete() && t.getException() == null).as("the late message was not acknowledged").isFalse();
            assertThat(fx.disconnects("KAFKA_UNAVAILABLE")).isEqualTo(1);
        } finally {
            p.close();
        }
    }

    private static long acked(List<Publisher> ps) {
        return ps.stream().mapToLong(p -> p.acked.get()).sum();
    }

    private static long failed(List<Publisher> ps) {
        return ps.stream().mapToLong(p -> p.failed.get()).sum();
    }

    /** Every record of the telemetry topic, seq per device in log order; checks one record's headers. */
    private static Map<String, List<Integer>> readTopic(int devices, int messages) {
        Map<String, List<Integer>> got = new ConcurrentHashMap<>();
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap.servers", broker.bootstrap());
        long distinct = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(TOPIC).stream().map(i -> new TopicPartition(TOPIC, i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (!r.key().startsWith("kdev-") && !r.key().startsWith("kkill-")) {
                        continue; // another test's records, not sequence numbers
                    }
                    int seq = Integer.parseInt(new String(r.value(), StandardCharsets.US_ASCII));
                    got.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(seq);
                    if (r.key().equals("kdev-0") && seq == 7) {
                        assertThat(header(r, "imprint-hub")).isEqualTo("hub-kafka");
                        assertThat(header(r, "imprint-node")).isEqualTo(fx.bus.self());
                        assertThat(header(r, "message-id")).isEqualTo("kdev-0-7");
                        assertThat(header(r, "content-type")).isEqualTo("text/plain");
                        assertThat(header(r, "seq")).isEqualTo("7");
                        assertThat(Long.parseLong(header(r, "imprint-enqueued-time"))).isEqualTo(r.timestamp());
                    }
                }
            }
        }
        return got;
    }

    /** The events of one device on the events topic, in log order, read as {@code imprint events --follow} does (up to 30 s for {@code n}). */
    private static List<com.fasterxml.jackson.databind.JsonNode> readEvents(String device, int n) throws Exception {
        List<com.fasterxml.jackson.databind.JsonNode> got = new ArrayList<>();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        java.util.concurrent.ExecutorService reader = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            reader.submit(() -> KafkaTail.follow(broker.bootstrap(), KafkaSettings.DEFAULT_EVENTS_TOPIC, "it-events-" + device, device, true, line -> {
                try {
                    com.fasterxml.jackson.databind.JsonNode e = json.readTree(line.value());
                    assertThat(line.headers().get("event-id")).isEqualTo(e.get("eventId").asText());
                    got.add(e);
                } catch (java.io.IOException x) {
                    throw new IllegalStateException(x);
                }
                return got.size() < n;
            })).get(30, TimeUnit.SECONDS);
        } finally {
            reader.shutdownNow();
        }
        return got;
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
