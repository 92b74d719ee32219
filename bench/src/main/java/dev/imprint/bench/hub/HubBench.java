package dev.imprint.bench.hub;

import dev.imprint.ca.Authority;
import dev.imprint.ca.CaSettings;
import dev.imprint.ca.Credential;
import dev.imprint.ca.IssuanceRequest;
import dev.imprint.ca.IssuedCertificate;
import dev.imprint.pki.CryptoProviders;
import dev.imprint.pki.KeyAlgorithm;
import dev.imprint.pki.Pem;
import dev.imprint.store.DeviceRecord;
import dev.imprint.store.JdbcStore;
import dev.imprint.testkit.Haproxy;
import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * The hub against Debian's mosquitto 2.0 in the same run, same CA, same device certificates,
 * same client ({@link MqttLoadClient}): new mTLS connections per second (CONNECT to CONNACK)
 * with server CPU per connection, resident memory per idle mTLS session (at half and all of
 * {@code --sessions}), and QoS 0 / QoS 1 telemetry messages per second.
 *
 * <p>{@code java -cp bench/target/benchmarks.jar dev.imprint.bench.hub.HubBench [sessions] [seconds] [idle|telemetry|balancer|mqtt5|kafka]}
 * (defaults 10000 and 10). Needs {@code mosquitto} on the PATH ({@code haproxy} for "balancer": the
 * hub with HAProxy's address as its balancer, connections direct and through HAProxy in TCP mode with
 * send-proxy-v2, beside mosquitto; "mqtt5": only the connection rate, the hub on 3.1.1 and on 5 and
 * mosquitto on 5); the store lives on /dev/shm.
 *
 * <p>"telemetry" and "kafka" also run mosquitto with one subscriber consuming every message (the
 * counterpart of a Kafka consumer) and the end-to-end latency, publish to a consumer's read, from a
 * paced stream ({@link EndToEnd}); {@code -Dbench.e2e=false} leaves them out.
 */
public final class HubBench {
    // -Dbench.hubAddress / -Dbench.mosquittoAddress: other addresses when another bench on this machine holds these
    static final String HUB_ADDR = System.getProperty("bench.hubAddress", "127.0.0.21");
    static final String MOSQ_ADDR = System.getProperty("bench.mosquittoAddress", "127.0.0.22");
    /** The Kafka broker of "kafka" mode (-Dbench.kafkaAddress: another, as for the servers'). */
    static final String KAFKA_ADDR = System.getProperty("bench.kafkaAddress", "127.0.19.2");
    /** HAProxy's frontend and the source of its connections to the hub (the hub's one balancer) in "balancer" mode. */
    static final String BALANCER_ADDR = "127.0.0.30";

    record Device(String id, SslContext ssl) {}

    record Server(String name, InetSocketAddress address, Process process, boolean jvm) {}

    private HubBench() {}

    public static void main(String[] args) throws Exception {
        int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        // "idle": only the idle-session figures (with the hub's heap histogram and native memory summary at full load)
        boolean idleOnly = args.length > 2 && args[2].equals("idle");
        // "telemetry": only the telemetry figures (no idle sessions, no connection rate)
        boolean telemetryOnly = args.length > 2 && args[2].equals("telemetry");
        // "balancer": only the connection rate, hub direct vs through HAProxy (send-proxy-v2) vs mosquitto
        boolean balancer = args.length > 2 && args[2].equals("balancer");
        // "mqtt5": only the connection rate, the hub on 3.1.1 vs the hub on 5 vs mosquitto on 5
        boolean mqtt5 = args.length > 2 && args[2].equals("mqtt5");
        // "kafka": telemetry only, the hub's durable step a KRaft broker (KafkaEgress, acks=all) in its own JVM
        boolean kafka = args.length > 2 && args[2].equals("kafka");
        telemetryOnly |= kafka;
        // the bench module has no logback.xml; keep DEBUG chatter out of the measurement
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(ch.qos.logback.classic.Level.WARN);
        CryptoProviders.install();
        Path work = Files.createTempDirectory(Path.of("/dev/shm"), "imprint-hub-bench-");
        System.out.printf("work dir %s, %d sessions, %d s per rate run, %d cores%n", work, sessions, seconds, Runtime.getRuntime().availableProcessors());
        // one identity more than the sessions: the subscriber of the "with a subscriber" and latency runs
        List<Device> issued = setUp(work, sessions + 1);
        List<Device> devices = issued.subList(0, sessions);
        Device subscriber = issued.get(sessions);
        dev.imprint.kafka.broker.KafkaBroker broker = kafka ? dev.imprint.kafka.broker.KafkaBroker.start(work.resolve("kafka"), KAFKA_ADDR, 0) : null;
        if (broker != null) {
            System.out.println("kafka broker pid " + broker.pid() + " " + broker.bootstrap());
        }
        Server hub = startHub(work, balancer ? BALANCER_ADDR : "", broker == null ? "" : broker.bootstrap());
        Server mosq = startMosquitto(work);
        Haproxy haproxy = balancer ? Haproxy.start(work, BALANCER_ADDR, BALANCER_ADDR, List.of(hub.address)) : null;
        // the readers (subscriber, latency streams) on an event loop of their own: the flood's writer loops do not delay them
        try (MqttLoadClient client = new MqttLoadClient(2); MqttLoadClient client5 = new MqttLoadClient(2, MqttVersion.MQTT_5);
                MqttLoadClient readers = new MqttLoadClient(1)) {
            List<String> rows = new ArrayList<>();
            if (mqtt5) {
                List<Device> ids = devices.subList(0, Math.min(1000, devices.size()));
                Server hub5 = new Server("hub v5", hub.address, hub.process, true);
                Server mosq5 = new Server("mosq v5", mosq.address, mosq.process, false);
                // the order of the hub's two versions changes every round (the first run of a round is often the unlucky one)
                for (int round = 0; round < 4; round++) {
                    boolean v5First = round % 2 == 1;
                    rate(v5First ? client5 : client, v5First ? hub5 : hub, ids, seconds, rows, 0);
                    rate(v5First ? client : client5, v5First ? hub : hub5, ids, seconds, rows, 0);
                    rate(client5, mosq5, ids, seconds, rows, 0);
                }
            }
            boolean rateOnly = balancer || mqtt5;
            if (balancer) {
                System.out.println("haproxy pid " + haproxy.pid() + " " + haproxy.routes().get(0).frontend() + " -> " + hub.address);
                Server viaLb = new Server("hub+haproxy", haproxy.routes().get(0).frontend(), hub.process, true);
                List<Device> ids = devices.subList(0, Math.min(1000, devices.size()));
                // the order changes every round: on a shared machine the first run of a round is often the unlucky one
                for (int round = 0; round < 4; round++) {
                    List<Server> order = round % 2 == 0 ? List.of(hub, viaLb, mosq) : List.of(viaLb, hub, mosq);
                    for (Server s : order) {
                        rate(client, s, ids, seconds, rows, s == viaLb ? haproxy.pid() : 0);
                    }
                }
            }
            // -Dbench.mosquitto=false: the hub's figures only (mosquitto's do not change between runs of ours)
            boolean withMosquitto = Boolean.parseBoolean(System.getProperty("bench.mosquitto", "true"));
            for (Server s : telemetryOnly || rateOnly ? List.<Server>of() : withMosquitto ? List.of(hub, mosq) : List.of(hub)) {
                idle(client, s, devices, rows, idleOnly);
            }
            for (Server s : idleOnly || telemetryOnly || rateOnly ? List.<Server>of() : List.of(hub, mosq, hub, mosq)) {
                rate(client, s, devices.subList(0, Math.min(1000, devices.size())), seconds, rows, 0);
            }
            // -Dbench.rounds=N: the telemetry runs N times (the first run of a JVM includes its JIT warm-up)
            int rounds = Integer.getInteger("bench.rounds", 1);
            // -Dbench.e2e=false: without the runs of issue 11 (mosquitto with a subscriber, the end-to-end latency)
            boolean e2e = telemetryOnly && Boolean.parseBoolean(System.getProperty("bench.e2e", "true"));
            Subscription sub = e2e ? new Subscription(readers, subscriber) : null;
            // what the hub kept: the rows its store inserted, or on the Kafka path the topic's records (its SQL window keeps only the newest per device)
            Kept kept = broker == null ? () -> storedRows(work) : () -> topicRecords(broker.bootstrap());
            for (int round = 0; round < rounds; round++) {
                for (Server s : idleOnly || rateOnly ? List.<Server>of() : List.of(hub, mosq)) {
                    long other = s == hub && broker != null ? broker.pid() : 0;
                    telemetry(client, s, devices.subList(0, 10), 0, 50_000, rows, other, kept, null);
                    telemetry(client, s, devices.subList(0, 10), 1, 20_000, rows, other, kept, null);
                }
                if (e2e) {
                    Server mosqSub = new Server("mosq+sub", mosq.address, mosq.process, false);
                    telemetry(client, mosqSub, devices.subList(0, 10), 0, 50_000, rows, 0, kept, sub);
                    telemetry(client, mosqSub, devices.subList(0, 10), 1, 20_000, rows, 0, kept, sub);
                }
            }
            if (e2e) {
                latencies(client, readers, hub, mosq, subscriber, devices.subList(0, 10), seconds, broker == null ? null : broker.bootstrap(), work, rows);
            }
            System.out.println();
            System.out.println("RESULTS");
            rows.forEach(System.out::println);
        } finally {
            if (haproxy != null) {
                haproxy.close();
            }
            // the hub before its broker: a producer whose broker went first only logs reconnect attempts
            hub.process.getOutputStream().close();
            hub.process.waitFor(10, TimeUnit.SECONDS);
            hub.process.destroy();
            if (broker != null) {
                broker.close();
            }
            mosq.process.destroy();
            mosq.process.waitFor(10, TimeUnit.SECONDS);
            // the work dir is in memory (/dev/shm): gone with the run unless -Dbench.keep=true
            if (!Boolean.getBoolean("bench.keep")) {
                hub.process.waitFor(10, TimeUnit.SECONDS);
                deleteTree(work);
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            System.err.println("could not remove " + dir + ": " + e);
        }
    }

    /** CA, server credentials for both servers, device certificates registered on the hub, mosquitto's CA file and CRL. */
    static List<Device> setUp(Path work, int n) throws Exception {
        List<Device> out = new ArrayList<>();
        try (JdbcStore store = JdbcStore.sqlite(work.resolve("imprint.db"));
                Authority ca = Authority.open(CaSettings.defaults(work.resolve("pki"), "bench".toCharArray(), "http://127.0.0.1:1"), store)) {
            writeCredential(work, "hub", ca.issueServerCertificate("bench-hub", List.of(), List.of(HUB_ADDR)));
            writeCredential(work, "mosq", ca.issueServerCertificate("bench-mosquitto", List.of(), List.of(MOSQ_ADDR)));
            X509Certificate root = ca.hierarchy().root();
            Files.writeString(work.resolve("ca.pem"), Pem.write(ca.hierarchy().issuer("manufacturing"), root));
            long t0 = System.nanoTime();
            List<CompletableFuture<IssuedCertificate>> issued = new ArrayList<>();
            List<KeyPair> keys = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                KeyPair kp = KeyAlgorithm.EC_P256.generate();
                keys.add(kp);
                byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + id(i)), kp.getPublic())
                        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
                issued.add(ca.issueAsync(IssuanceRequest.byAdmin("admin:bench", "manufacturing", csr)));
            }
            Instant now = Instant.now();
            for (int i = 0; i < n; i++) {
                IssuedCertificate c = issued.get(i).join();
                store.deviceRegistry().save(new DeviceRecord(id(i), "bench-hub", true, "bench", "{}", "{}", "assigned",
                        "initialAssignment", c.serialHex(), 0, now, now), null);
                SslContext ssl = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL)
                        .keyManager(keys.get(i).getPrivate(), c.certificate(), c.chain().get(0))
                        .trustManager(root).protocols("TLSv1.3")
                        // handlers made without a peer host: no client session cache, every connection a full handshake
                        .endpointIdentificationAlgorithm(null).build();
                out.add(new Device(id(i), ssl));
            }
            byte[] crl = ca.revocation().crl("manufacturing");
            Files.writeString(work.resolve("crl.pem"), "-----BEGIN X509 CRL-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(crl) + "\n-----END X509 CRL-----\n");
            System.out.printf("issued and registered %d devices in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
        }
        return out;
    }

    static String id(int i) {
        return String.format(Locale.ROOT, "bench-%05d", i);
    }

    static void writeCredential(Path work, String name, Credential c) throws Exception {
        Files.writeString(work.resolve(name + ".crt"), Pem.write(c.fullChain().toArray()));
        Files.writeString(work.resolve(name + ".key"), pkcs8(c.key()));
    }

    static String pkcs8(PrivateKey key) {
        return dev.imprint.pki.Pem.write(key);
    }

    /** @param balancers the hub's {@code cluster.balancers} (comma list, empty for none) */
    /** @param kafka the bootstrap of the broker the hub's telemetry goes to; empty for the SQL store */
    static Server startHub(Path work, String balancers, String kafka) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // G1 keeps up to 70% of the heap free after a collection by default (MaxHeapFreeRatio):
        // committed heap, hence RSS, would be ~3x the live data; 30% bounds it at ~1.4x
        List<String> cmd = new ArrayList<>(List.of(java, "-Xms64m", "-Xmx2g", "-XX:+UseG1GC",
                "-XX:MaxHeapFreeRatio=30", "-XX:MinHeapFreeRatio=10"));
        // extra hub JVM flags, space-separated (for experiments; the recorded figures use none)
        String extra = System.getProperty("hub.jvmArgs", "").trim();
        if (!extra.isEmpty()) {
            cmd.addAll(List.of(extra.split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), HubServerMain.class.getName(), work.toString(), HUB_ADDR, balancers, kafka));
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        while (line != null && !line.startsWith("READY")) {
            line = r.readLine();
        }
        if (line == null) {
            throw new IllegalStateException("hub did not start: " + line);
        }
        System.out.println("hub pid " + p.pid() + " " + line);
        return new Server("imprint-hub", new InetSocketAddress(HUB_ADDR, 8883), p, true);
    }

    static Server startMosquitto(Path work) throws Exception {
        Path conf = work.resolve("mosquitto.conf");
        Files.writeString(conf, String.join("\n",
                "user root", "persistence false", "log_dest stderr", "log_type error", "max_keepalive 65535",
                "listener 8883 " + MOSQ_ADDR,
                "cafile " + work.resolve("ca.pem"), "certfile " + work.resolve("mosq.crt"), "keyfile " + work.resolve("mosq.key"),
                "require_certificate true", "use_identity_as_username true", "crlfile " + work.resolve("crl.pem"),
                "allow_anonymous true",
                // -Dbench.mosquittoMaxQueued: messages mosquitto queues per subscriber beyond those in flight before it
                // drops them; 0 (no bound) so the subscriber consumes every message, as a Kafka consumer would (no
                // subscriber, no queue: the runs without one are unchanged)
                "max_queued_messages " + Integer.getInteger("bench.mosquittoMaxQueued", 0), ""));
        Process p = new ProcessBuilder("mosquitto", "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        Thread.sleep(1000);
        if (!p.isAlive()) {
            throw new IllegalStateException("mosquitto did not start (exit " + p.exitValue() + ")");
        }
        String v = new String(new ProcessBuilder("mosquitto", "-h").start().getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().findFirst().orElse("");
        System.out.println("mosquitto pid " + p.pid() + " " + v);
        return new Server("mosquitto", new InetSocketAddress(MOSQ_ADDR, 8883), p, false);
    }

    /** Opens idle sessions and reports resident memory per session (slope from half to all). */
    static void idle(MqttLoadClient client, Server s, List<Device> devices, List<String> rows, boolean diagnose) throws Exception {
        gc(s);
        long rss0 = ProcStats.rssKib(s.process.pid());
        List<Channel> open = new ArrayList<>();
        int half = devices.size() / 2;
        open.addAll(openAll(client, s, devices.subList(0, half)));
        gc(s);
        long rssHalf = ProcStats.rssKib(s.process.pid());
        open.addAll(openAll(client, s, devices.subList(half, devices.size())));
        gc(s);
        long rssAll = ProcStats.rssKib(s.process.pid());
        double perSession = (rssAll - rssHalf) * 1024.0 / (devices.size() - half);
        String row = String.format(Locale.ROOT, "%-12s idle sessions: %d open; RSS %d MiB empty, %d MiB at %d, %d MiB at %d; "
                + "slope %.1f KiB/session (whole: %.1f KiB); 100k sessions ~ %.2f GiB",
                s.name, open.size(), rss0 / 1024, rssHalf / 1024, half, rssAll / 1024, devices.size(), perSession / 1024,
                (rssAll - rss0) / (double) devices.size(), (rssAll * 1024.0 + perSession * (100_000 - devices.size())) / (1L << 30));
        System.out.println(row);
        rows.add(row);
        if (diagnose && s.jvm) {
            jcmd(s, "GC.class_histogram", 70);
            jcmd(s, "VM.native_memory summary", 14);
        }
        CountDownLatch closed = new CountDownLatch(open.size());
        open.forEach(ch -> ch.close().addListener(f -> closed.countDown()));
        closed.await(60, TimeUnit.SECONDS);
        Thread.sleep(2000);
    }

    static List<Channel> openAll(MqttLoadClient client, Server s, List<Device> devices) throws Exception {
        Semaphore pending = new Semaphore(64);
        List<CompletableFuture<Channel>> all = new ArrayList<>();
        for (Device d : devices) {
            pending.acquire();
            CompletableFuture<Channel> f = client.connect(s.address, d.id, d.ssl, null);
            f.whenComplete((c, e) -> pending.release());
            all.add(f);
        }
        List<Channel> out = new ArrayList<>();
        int failed = 0;
        for (CompletableFuture<Channel> f : all) {
            try {
                out.add(f.get(60, TimeUnit.SECONDS));
            } catch (Exception e) {
                failed++;
            }
        }
        if (failed > 0) {
            System.out.println(s.name + ": " + failed + " idle connections failed");
        }
        return out;
    }

    /**
     * New mTLS connections per second, CONNECT to CONNACK, then DISCONNECT; 32 in flight.
     *
     * @param balancerPid the balancer's PID whose CPU is reported beside the server's, 0 for none
     */
    static void rate(MqttLoadClient client, Server s, List<Device> devices, int seconds, List<String> rows, long balancerPid) throws Exception {
        runRate(client, s, devices, 2, null); // warm-up
        double cpu0 = ProcStats.cpuSeconds(s.process.pid());
        double lb0 = balancerPid > 0 ? ProcStats.cpuSeconds(balancerPid) : 0;
        long t0 = System.nanoTime();
        long[] counts = runRate(client, s, devices, seconds, null);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        double cpu = ProcStats.cpuSeconds(s.process.pid()) - cpu0;
        double lb = balancerPid > 0 ? ProcStats.cpuSeconds(balancerPid) - lb0 : 0;
        String row = String.format(Locale.ROOT, "%-12s new mTLS connections: %.0f/s (%d ok, %d failed in %.1f s); server CPU %.2f ms/connection, %.0f connections per server core-second%s",
                s.name, counts[0] / elapsed, counts[0], counts[1], elapsed, cpu * 1000 / Math.max(1, counts[0]), counts[0] / Math.max(cpu, 1e-9),
                balancerPid > 0 ? String.format(Locale.ROOT, "; haproxy CPU %.3f ms/connection", lb * 1000 / Math.max(1, counts[0])) : "");
        System.out.println(row);
        rows.add(row);
    }

    static long[] runRate(MqttLoadClient client, Server s, List<Device> devices, int seconds, Object unused) throws Exception {
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicInteger next = new AtomicInteger();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        int concurrency = 32;
        CountDownLatch loops = new CountDownLatch(concurrency);
        for (int i = 0; i < concurrency; i++) {
            loop(client, s, devices, next, ok, failed, end, loops);
        }
        loops.await(seconds + 60L, TimeUnit.SECONDS);
        return new long[] {ok.get(), failed.get()};
    }

    private static void loop(MqttLoadClient client, Server s, List<Device> devices, AtomicInteger next, AtomicLong ok, AtomicLong failed,
            long end, CountDownLatch loops) {
        if (System.nanoTime() > end) {
            loops.countDown();
            return;
        }
        Device d = devices.get(Math.floorMod(next.getAndIncrement(), devices.size()));
        client.connect(s.address, d.id, d.ssl, null).whenComplete((ch, e) -> {
            if (e == null) {
                ok.incrementAndGet();
                MqttLoadClient.disconnect(ch);
            } else {
                failed.incrementAndGet();
            }
            loop(client, s, devices, next, ok, failed, end, loops);
        });
    }

    /** The subscriber of a "with a subscriber" run: the client it connects with (its own event loop) and its identity. */
    record Subscription(MqttLoadClient client, Device device) {}

    /**
     * {@code perClient} messages from each of the devices; QoS 1 with 100 in flight per client, QoS 0 ending with one QoS 1 as a barrier.
     *
     * @param otherPid a process doing the server's work besides it (the Kafka broker), whose CPU is reported too; 0 for none
     * @param sub a subscriber to every device's topic at the run's QoS, or null for none: the run then ends when it
     *     received every message (or none came for 5 s, or 120 s passed), and the rate is the rate delivered to it
     */
    static void telemetry(MqttLoadClient client, Server s, List<Device> devices, int qos, int perClient, List<String> rows, long otherPid,
            Kept kept, Subscription sub) throws Exception {
        byte[] payload = "{\"temperature\":21.5,\"humidity\":40,\"status\":\"ok\",\"seq\":1234567,\"note\":\"benchmark payload of about 100 bytes\"}"
                .getBytes(StandardCharsets.UTF_8);
        List<CompletableFuture<Void>> done = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        List<Runnable> starts = new ArrayList<>();
        MqttSubscriber subscriber = sub == null ? null
                : MqttSubscriber.open(sub.client, s.address, sub.device.id, sub.device.ssl, EndToEnd.TOPIC_FILTER, qos, null);
        for (Device d : devices) {
            String topic = topic(d.id);
            CompletableFuture<Void> finished = new CompletableFuture<>();
            AtomicInteger sent = new AtomicInteger();
            AtomicInteger acked = new AtomicInteger();
            Channel[] holder = new Channel[1];
            int target = qos == 1 ? perClient : 1;
            Channel ch = client.connect(s.address, d.id, d.ssl, id -> {
                if (acked.incrementAndGet() >= target) {
                    finished.complete(null);
                } else if (qos == 1 && sent.get() < perClient) {
                    int n = sent.incrementAndGet();
                    holder[0].writeAndFlush(MqttLoadClient.publish(topic, 1, (n % 65000) + 1, payload));
                }
            }).get(30, TimeUnit.SECONDS);
            holder[0] = ch;
            channels.add(ch);
            done.add(finished);
            starts.add(() -> ch.eventLoop().execute(() -> {
                if (qos == 1) {
                    for (int i = 0; i < 100 && sent.get() < perClient; i++) {
                        int n = sent.incrementAndGet();
                        ch.write(MqttLoadClient.publish(topic, 1, (n % 65000) + 1, payload));
                    }
                    ch.flush();
                } else {
                    sendQos0(ch, topic, payload, perClient);
                }
            }));
        }
        long stored0 = s.jvm ? kept.count() : 0;
        double cpu0 = ProcStats.cpuSeconds(s.process.pid());
        double other0 = otherPid > 0 ? ProcStats.cpuSeconds(otherPid) : 0;
        long t0 = System.nanoTime();
        starts.forEach(Runnable::run);
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        long total = (long) perClient * devices.size();
        if (subscriber != null) {
            // the QoS 0 runs' barriers reach the subscriber too
            long expected = total + (qos == 0 ? devices.size() : 0);
            subscriber.await(expected, 5_000, 120_000);
            double delivered = subscriber.received() == 0 ? Double.NaN : (subscriber.lastNanos() - t0) / 1e9;
            double cpu = ProcStats.cpuSeconds(s.process.pid()) - cpu0;
            String row = String.format(Locale.ROOT, "%-12s telemetry QoS %d: %.0f msgs/s delivered (%d clients x %d messages of %d bytes, published in %.2f s, "
                    + "the subscriber's last at %.2f s; server CPU %.2f us/msg; subscriber received %d of %d; load %s)",
                    s.name, qos, subscriber.received() / delivered, devices.size(), perClient, payload.length, elapsed, delivered, cpu * 1e6 / total,
                    subscriber.received(), expected, load());
            System.out.println(row);
            rows.add(row);
            subscriber.close();
            channels.forEach(MqttLoadClient::disconnect);
            Thread.sleep(1000);
            return;
        }
        double cpu = ProcStats.cpuSeconds(s.process.pid()) - cpu0;
        double other = otherPid > 0 ? ProcStats.cpuSeconds(otherPid) - other0 : 0;
        // the hub drops QoS 0 messages its store queue has no room for (counted in imprint.hub.telemetry.dropped):
        // the rows it inserted (the SQL store) or the topic's records (Kafka) say how many it kept; the barrier's PUBACK
        // came after the commit (Kafka's acknowledgement) of everything queued before it
        String stored = s.jvm ? String.format(Locale.ROOT, "; stored %d of %d", kept.count() - stored0, total + (qos == 0 ? devices.size() : 0)) : "";
        String row = String.format(Locale.ROOT, "%-12s telemetry QoS %d: %.0f msgs/s (%d clients x %d messages of %d bytes in %.2f s; server CPU %.2f us/msg%s%s; load %s)",
                s.name, qos, total / elapsed, devices.size(), perClient, payload.length, elapsed, cpu * 1e6 / total,
                otherPid > 0 ? String.format(Locale.ROOT, ", Kafka broker CPU %.1f us/msg", other * 1e6 / total) : "", stored, load());
        System.out.println(row);
        rows.add(row);
        channels.forEach(MqttLoadClient::disconnect);
        Thread.sleep(1000);
    }

    /**
     * The latency rows, QoS 0 and 1 on each server: the hub read by a Kafka consumer (with a broker) or from its store,
     * mosquitto by a subscriber; -Dbench.e2eRate messages per second in total (default 5,000) for {@code seconds}.
     *
     * @param kafka the broker's bootstrap; null on the embedded SQL path
     */
    static void latencies(MqttLoadClient client, MqttLoadClient readers, Server hub, Server mosq, Device subscriber, List<Device> devices, int seconds, String kafka,
            Path work, List<String> rows) throws Exception {
        int rate = Integer.getInteger("bench.e2eRate", 5_000);
        for (int qos = 0; qos <= 1; qos++) {
            int q = qos;
            if (kafka != null) {
                EndToEnd.latency(client, hub, devices, qos, rate, seconds, "Kafka consumer",
                        sink -> KafkaReader.start(kafka, "bench-e2e-" + System.nanoTime(), sink), rows);
            } else {
                EndToEnd.latency(client, hub, devices, qos, rate, seconds, "store row",
                        sink -> StoreReader.start(work.resolve("imprint.db"), sink), rows);
            }
            EndToEnd.latency(client, mosq, devices, qos, rate, seconds, "subscriber",
                    sink -> MqttSubscriber.open(readers, mosq.address, subscriber.id, subscriber.ssl, EndToEnd.TOPIC_FILTER, q, sink), rows);
        }
    }

    static String topic(String deviceId) {
        return "devices/" + deviceId + "/messages/events/";
    }

    /** How many messages a hub has kept so far. */
    interface Kept {
        long count() throws Exception;
    }

    /** Records in the telemetry topic so far (the sum of its partitions' end offsets). */
    static long topicRecords(String bootstrap) {
        java.util.Map<String, Object> p = java.util.Map.of("bootstrap.servers", bootstrap);
        try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> c = new org.apache.kafka.clients.consumer.KafkaConsumer<>(p,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<org.apache.kafka.common.PartitionInfo> infos = c.partitionsFor(dev.imprint.kafka.KafkaSettings.DEFAULT_TELEMETRY_TOPIC);
            if (infos == null) {
                return 0;
            }
            List<org.apache.kafka.common.TopicPartition> parts = infos.stream()
                    .map(i -> new org.apache.kafka.common.TopicPartition(i.topic(), i.partition())).toList();
            return c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Telemetry messages the hub has stored so far (the newest message number: pruning does not lower it). */
    static long storedRows(Path work) throws java.sql.SQLException {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + work.resolve("imprint.db"))) {
            return StoreReader.maxSeq(c);
        }
    }

    /** The 1-minute load average (the machine is shared: every figure is read beside it). */
    static String load() throws java.io.IOException {
        return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    }

    /** Writes QoS 0 messages while the socket is writable, resuming on the event loop; ends with a QoS 1 barrier. */
    private static void sendQos0(Channel ch, String topic, byte[] payload, int remaining) {
        int left = remaining;
        while (left > 0 && ch.isWritable()) {
            ch.write(MqttLoadClient.publish(topic, 0, 0, payload));
            left--;
            if (left % 64 == 0) {
                ch.flush();
            }
        }
        ch.flush();
        if (left > 0) {
            int l = left;
            ch.eventLoop().schedule(() -> sendQos0(ch, topic, payload, l), 200, TimeUnit.MICROSECONDS);
        } else {
            ch.writeAndFlush(MqttLoadClient.publish(topic, 1, 1, payload));
        }
    }

    /** Prints the first {@code lines} lines of a jcmd diagnostic of the hub. */
    static void jcmd(Server s, String command, int lines) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("jcmd", Long.toString(s.process.pid())));
        cmd.addAll(List.of(command.split(" ")));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        out.stream().limit(lines).forEach(System.out::println);
        if (out.size() > lines) {
            System.out.println(out.get(out.size() - 1)); // the histogram's total
        }
        p.waitFor(30, TimeUnit.SECONDS);
    }

    static void gc(Server s) throws Exception {
        if (s.jvm) {
            new ProcessBuilder("jcmd", Long.toString(s.process.pid()), "GC.run").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
        }
        Thread.sleep(1500);
    }
}
