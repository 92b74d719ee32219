package dev.imprint.abuse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The well-behaved device every abuse case runs beside: a real MQTT client (Paho) with a valid
 * certificate, connected to the hub, publishing QoS 1 telemetry every {@link #EVERY_MS} ms on its
 * own thread and timing each publish to its PUBACK. A case reads the latency before it started and
 * while it ran, and the publishes that failed meanwhile (there must be none).
 */
final class Bystander implements AutoCloseable {
    static final long EVERY_MS = 50;
    private final LiveImprint live;
    private final LiveImprint.Device device;
    private final List<long[]> samples = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final Thread loop;
    private volatile boolean running = true;
    private MqttClient client;

    private Bystander(LiveImprint live, LiveImprint.Device device) {
        this.live = live;
        this.device = device;
        this.loop = new Thread(this::run, "bystander");
        this.loop.setDaemon(true);
    }

    static Bystander start(LiveImprint live, LiveImprint.Device device) throws Exception {
        Bystander b = new Bystander(live, device);
        b.connect();
        b.loop.start();
        return b;
    }

    private void connect() throws Exception {
        MqttClient c = new MqttClient("ssl://" + LiveImprint.HUB_HOST + ":" + live.hub.getPort(), device.id(), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setSocketFactory(device.tls(live.root).getSocketFactory());
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setKeepAliveInterval(30);
        o.setConnectionTimeout(10);
        c.setTimeToWait(10_000);
        c.connect(o);
        client = c;
    }

    private void run() {
        long n = 0;
        while (running) {
            long start = System.nanoTime();
            try {
                if (client == null || !client.isConnected()) {
                    connect();
                }
                byte[] body = ("{\"n\":" + n++ + "}").getBytes(StandardCharsets.UTF_8);
                MqttMessage m = new MqttMessage(body);
                m.setQos(1);
                client.publish("devices/" + device.id() + "/messages/events/", m);
                long end = System.nanoTime();
                samples.add(new long[] {end, end - start});
                acknowledged.incrementAndGet();
            } catch (Exception e) {
                if (running) {
                    failures.incrementAndGet();
                }
            }
            try {
                Thread.sleep(EVERY_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** A point in time to measure from. */
    record Mark(long nanos, long failures, long acknowledged) {}

    Mark mark() {
        return new Mark(System.nanoTime(), failures.get(), acknowledged.get());
    }

    /** Latency of publishes acknowledged between two instants, and the failures since {@code from}. */
    Latency between(long fromNanos, long toNanos, Mark from) {
        List<Long> ms;
        synchronized (samples) {
            ms = samples.stream().filter(s -> s[0] >= fromNanos && s[0] <= toNanos).map(s -> s[1]).sorted().toList();
        }
        return new Latency(ms, failures.get() - from.failures(), acknowledged.get() - from.acknowledged());
    }

    /** The latency in the {@code window} before {@code m}. */
    Latency before(Mark m, long windowNanos) {
        return between(m.nanos() - windowNanos, m.nanos(), new Mark(0, failures.get(), acknowledged.get()));
    }

    /** The latency from {@code m} until now, with the failures and acknowledgements since. */
    Latency since(Mark m) {
        return between(m.nanos(), System.nanoTime(), m);
    }

    long acknowledged() {
        return acknowledged.get();
    }

    String id() {
        return device.id();
    }

    /** Publish-to-PUBACK times (ns, sorted) in a window. */
    record Latency(List<Long> sorted, long failures, long acknowledged) {
        double p(double q) {
            if (sorted.isEmpty()) {
                return Double.NaN;
            }
            int i = (int) Math.ceil(q * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1e6;
        }

        String show() {
            return String.format("p50 %.1f ms, p99 %.1f ms (%d acks)", p(0.50), p(0.99), sorted.size());
        }
    }

    @Override
    public void close() {
        running = false;
        loop.interrupt();
        try {
            loop.join(5000);
            if (client != null) {
                client.disconnectForcibly(1000);
                client.close(true);
            }
        } catch (Exception ignored) {
            // the server closes next
        }
    }
}
