package dev.imprint.bench.hub;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Devices publishing {@link LatencyPayload} bodies at a fixed total rate (the latency runs: a flood
 * would measure the queues, not the path). Each client's event loop wakes every millisecond and
 * sends what is due by then, so the rate holds on average even when a wake-up is late; each body
 * is stamped just before it is written.
 */
final class PacedStream implements AutoCloseable {
    private final List<Channel> channels;
    private final List<String> topics;
    private final int qos;
    private final AtomicInteger probes = new AtomicInteger();

    private PacedStream(List<Channel> channels, List<String> topics, int qos) {
        this.channels = channels;
        this.topics = topics;
        this.qos = qos;
    }

    /** Connects every device (30 s each at most). */
    static PacedStream connect(MqttLoadClient client, InetSocketAddress server, List<HubBench.Device> devices, int qos) throws Exception {
        List<Channel> channels = new ArrayList<>();
        List<String> topics = new ArrayList<>();
        for (HubBench.Device d : devices) {
            channels.add(client.connect(server, d.id(), d.ssl(), null).get(30, TimeUnit.SECONDS));
            topics.add(HubBench.topic(d.id()));
        }
        return new PacedStream(channels, topics, qos);
    }

    /** One probe from the first device (run {@link LatencyPayload#PROBE_RUN}, QoS 1 so a server keeps it). */
    void probe() {
        int n = probes.incrementAndGet();
        channels.get(0).writeAndFlush(MqttLoadClient.publish(topics.get(0), 1, 65_001 + n % 500,
                LatencyPayload.encode(LatencyPayload.PROBE_RUN, n, LatencyPayload.now())));
    }

    /**
     * Sends {@code rate} messages per second in total, spread evenly over the devices, for
     * {@code seconds}; returns once every client has written its share (bounded: seconds + 60 s).
     *
     * @return the number of messages sent (sequence numbers 0 to that, exclusive)
     */
    int run(int run, int rate, int seconds) throws Exception {
        int perClient = rate * seconds / channels.size();
        double perNano = rate / 1e9 / channels.size();
        List<CompletableFuture<Void>> done = new ArrayList<>();
        List<ScheduledFuture<?>> ticks = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < channels.size(); c++) {
            Channel ch = channels.get(c);
            String topic = topics.get(c);
            int firstSeq = c * perClient;
            CompletableFuture<Void> finished = new CompletableFuture<>();
            int[] sent = {0};
            ticks.add(ch.eventLoop().scheduleAtFixedRate(() -> {
                long due = Math.min(perClient, (long) ((System.nanoTime() - start) * perNano));
                while (sent[0] < due) {
                    int n = sent[0]++;
                    ch.write(MqttLoadClient.publish(topic, qos, n % 65_000 + 1, LatencyPayload.encode(run, firstSeq + n, LatencyPayload.now())));
                }
                ch.flush();
                if (sent[0] == perClient) {
                    finished.complete(null);
                }
            }, 0, 1, TimeUnit.MILLISECONDS));
            done.add(finished);
        }
        try {
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(seconds + 60L, TimeUnit.SECONDS);
        } finally {
            ticks.forEach(t -> t.cancel(false));
        }
        return perClient * channels.size();
    }

    @Override
    public void close() {
        channels.forEach(MqttLoadClient::disconnect);
    }
}
