package dev.imprint.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.ca.Authority;
import dev.imprint.ca.CaSettings;
import dev.imprint.ca.Credential;
import dev.imprint.pki.CryptoProviders;
import dev.imprint.pki.Pem;
import dev.imprint.store.JdbcStore;
import dev.imprint.store.TelemetryRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A QoS 1 PUBACK means stored: a real MQTT client (Paho) streams QoS 1 telemetry to a hub in its
 * own JVM ({@link HubCrashChild}, SQLite store on disk), the hub is killed with SIGKILL in the
 * middle of the stream (after 2 s or 10,000 messages), and every message the client saw acknowledged must be in the store
 * file left behind.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TelemetryCrashIT {
    static final String HOST = "127.0.0.17";
    static final String HUB = "hub-crash";
    static final String DEVICE = "crash-1";
    static final long PUBLISH_BEFORE_KILL_MS = 2_000;
    static final int MAX_MESSAGES = 20_000;

    @TempDir
    Path dir;

    @Test
    void every_acknowledged_qos1_message_is_stored_after_kill_9() throws Exception {
        CryptoProviders.install();
        HubFixture.Device device;
        X509Certificate root;
        try (JdbcStore store = JdbcStore.sqlite(dir.resolve("imprint.db"));
                Authority ca = Authority.open(CaSettings.defaults(dir.resolve("pki"), "test-passphrase".toCharArray(), "http://127.0.0.1:1"), store)) {
            Credential server = ca.issueServerCertificate(HUB, List.of(), List.of(HOST));
            Files.writeString(dir.resolve("hub.key"), Pem.write(server.key()));
            Files.writeString(dir.resolve("hub.crt"), Pem.write(server.fullChain().toArray()));
            Files.writeString(dir.resolve("anchor.pem"), Pem.write(ca.hierarchy().issuer("manufacturing")));
            device = HubFixture.issue(ca, DEVICE, "manufacturing");
            HubFixture.register(store, DEVICE, HUB, device.serial());
            root = ca.hierarchy().root();
        }

        Process hub = startChild();
        Set<Integer> acked = ConcurrentHashMap.newKeySet();
        AtomicInteger sent = new AtomicInteger();
        try {
            MqttAsyncClient client = new MqttAsyncClient("ssl://" + HOST + ":8883", DEVICE, new MemoryPersistence());
            CountDownLatch lost = new CountDownLatch(1);
            client.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                    lost.countDown();
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {}

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {}
            });
            MqttConnectOptions o = new MqttConnectOptions();
            o.setSocketFactory(HubFixture.ssl(device.key(), device.chain(), root).getSocketFactory());
            o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            o.setCleanSession(true);
            o.setAutomaticReconnect(false);
            o.setMaxInflight(64);
            client.connect(o).waitForCompletion(10_000);

            Semaphore window = new Semaphore(64);
            long killAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PUBLISH_BEFORE_KILL_MS);
            boolean killed = false;
            String topic = "devices/" + DEVICE + "/messages/events/";
            for (int seq = 0; seq < MAX_MESSAGES && lost.getCount() > 0; seq++) {
                if (!window.tryAcquire(5, TimeUnit.SECONDS)) {
                    break;
                }
                if (!killed && (System.nanoTime() > killAt || seq == MAX_MESSAGES / 2)) {
                    // mid-stream: the window is full of messages in flight, some stored, some not
                    new ProcessBuilder("kill", "-KILL", Long.toString(hub.pid())).start().waitFor(10, TimeUnit.SECONDS);
                    killed = true;
                }
                int n = seq;
                try {
                    client.publish(topic, ("{\"seq\":" + n + "}").getBytes(StandardCharsets.UTF_8), 1, false, null, new IMqttActionListener() {
                        @Override
                        public void onSuccess(IMqttToken t) {
                            acked.add(n);
                            window.release();
                        }

                        @Override
                        public void onFailure(IMqttToken t, Throwable e) {
                            window.release();
                        }
                    });
                    sent.incrementAndGet();
                } catch (MqttException e) {
                    window.release();
                    break;
                }
            }
            assertThat(killed).as("the hub was killed while the client was still publishing").isTrue();
            assertThat(hub.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(lost.await(10, TimeUnit.SECONDS)).as("the client saw the connection drop").isTrue();
            client.close(true);
        } finally {
            hub.destroyForcibly();
        }

        Set<Integer> stored = new TreeSet<>();
        try (JdbcStore store = JdbcStore.sqlite(dir.resolve("imprint.db"))) {
            for (TelemetryRecord r : store.telemetry().recent(DEVICE, MAX_MESSAGES + 1)) {
                String body = new String(r.body(), StandardCharsets.UTF_8);
                stored.add(Integer.parseInt(body.substring(body.indexOf(':') + 1, body.indexOf('}'))));
            }
        }
        Set<Integer> lostAcked = new TreeSet<>(acked);
        lostAcked.removeAll(stored);
        System.out.printf("kill -9 mid-stream: %d sent, %d acknowledged, %d stored, %d acknowledged but not stored%n",
                sent.get(), acked.size(), stored.size(), lostAcked.size());
        assertThat(acked.size()).as("enough of a stream to mean something").isGreaterThan(100);
        assertThat(lostAcked.size()).as("acknowledged messages missing from the store, the first: %s",
                lostAcked.stream().limit(10).toList()).isZero();
    }

    private Process startChild() throws Exception {
        Path log = dir.resolve("hub.log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-Dimprint.keyFile.iterations=1000", "-cp", System.getProperty("java.class.path"), HubCrashChild.class.getName(), dir.toString(), HOST, HUB)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).lines().anyMatch("READY"::equals)) {
                return p;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("hub child exited " + p.exitValue() + ":\n" + Files.readString(log));
            }
            Thread.sleep(50);
        }
        p.destroyForcibly();
        throw new IllegalStateException("hub child not ready in 30 s:\n" + Files.readString(log));
    }
}
