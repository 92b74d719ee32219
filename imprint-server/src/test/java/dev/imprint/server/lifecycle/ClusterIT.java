package dev.imprint.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.device.MemoryState;
import dev.imprint.device.cloud.CloudConfig;
import dev.imprint.device.cloud.DeviceClient;
import dev.imprint.device.cloud.DeviceRuntime;
import dev.imprint.device.cloud.Identity;
import dev.imprint.server.cli.AdminClient;
import dev.imprint.server.config.ConfigLoader;
import dev.imprint.server.up.Endpoints;
import dev.imprint.store.Store;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real cluster on this machine, as {@code imprint cluster up} starts it: Debian's PostgreSQL
 * (fsync on), HAProxy in TCP mode with PROXY v2 in front of two {@code ca,admin} nodes, two DPS
 * nodes and the three nodes of {@code hub-1}, each a forked {@code imprint.jar}.
 * Devices go through the real chain (factory station over EST, DPS through the balancer, the hub
 * through the balancer) with Imprint's device SDK. Scenarios in order: spread and directory,
 * c2d, desired patches and methods from an admin node to devices on every node, revocation,
 * kill -9 of a hub node, of a DPS node during registrations and of the CRL leader, and the Azure
 * SDKs through the balancers. Figures are printed as {@code [cluster]} lines.
 *
 * <p>Started with {@code --kafka}, so the nodes message each other over Kafka ({@code cluster.bus:
 * kafka}, {@code KafkaBus}): every cross-node scenario runs on the Kafka node bus, and the c2d
 * scenario checks that the hub nodes' inbox topics carried the admin node's notices.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final Path JAR = Path.of("target", "imprint.jar").toAbsolutePath();
    private static final String LAYOUT = "ca,admin=2;dps=2;hub:hub-1=3";
    private static final int DEVICES = 30;
    /** The cluster's own Kafka broker ({@code cluster up --kafka}; its controller on the port after). */
    private static final String KAFKA = "127.0.19.1:19092";
    /** JVM options of the nodes (through the launcher's IMPRINT_JAVA_OPTS) and of the CLI runs. */
    private static final String NODE_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dimprint.keyFile.iterations=1000";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static Path dir;
    static boolean up;
    static AdminClient admin;
    static Store store;
    static DeviceRuntime rt;
    static final List<Dev> devices = new ArrayList<>();

    /** One device and what it saw. */
    static final class Dev implements DeviceClient.Events {
        final String id;
        DeviceClient client;
        final List<String> c2d = new CopyOnWriteArrayList<>();
        final List<String> disconnects = new CopyOnWriteArrayList<>();
        volatile int connects;
        volatile long disconnectedAt;

        Dev(String id) {
            this.id = id;
        }

        @Override
        public void connected(String hub) {
            connects++;
        }

        @Override
        public void disconnected(String code) {
            disconnectedAt = System.nanoTime();
            disconnects.add(code);
        }

        @Override
        public void failed(String code) {
            disconnects.add("FAILED_" + code);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/haproxy")), "haproxy is not installed (scripts/test installs it)");
        assumeTrue(Files.isDirectory(Path.of("/usr/lib/postgresql")), "Debian's postgresql is not installed (scripts/test installs it)");
        assertThat(JAR).as("run through 'mvn verify': package builds the jar").exists();
        // PostgreSQL runs as the user postgres (initdb refuses root): it must reach its folder under the temp dir
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        dir = tmp.resolve("cluster");
        Run r = imprint(Duration.ofMinutes(4), "cluster", "up", "--data", dir.toString(), "--nodes", LAYOUT, "--timeout", "150",
                "--kafka=" + KAFKA);
        assertThat(r.code()).as(r.out()).isZero();
        up = true;
        System.out.println("[cluster] up: " + r.out().lines().filter(l -> !l.isBlank()).count() + " lines, layout " + LAYOUT);
        admin = AdminClient.forDataDir(dir);
        store = ConfigLoader.load(dir, storeEnv()).openStore();
        rt = new DeviceRuntime(2);

        List<MemoryState> made = SimFactory.provision(admin, Endpoints.read(dir).est(), tmp.resolve("factory"), DEVICES, 4,
                new PrintWriter(Writer.nullWriter()), false);
        assertThat(made).hasSize(DEVICES);
        CloudConfig cloud = CloudConfig.fromEndpoints(dir);
        for (MemoryState s : made) {
            Dev d = new Dev(s.deviceId().orElseThrow());
            d.client = new DeviceClient(rt, cloud, d.id, new Identity(s.key(), s.chain()), s, DeviceClient.Options.defaults(), d);
            d.client.onCloudToDevice(m -> d.c2d.add(m.text()));
            d.client.onMethod("ping", p -> "{\"pong\":\"" + d.id + "\"}");
            devices.add(d);
        }
        long t0 = System.nanoTime();
        for (Dev d : devices) {
            d.client.start();
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> devices.stream().allMatch(d -> d.client.state() == DeviceClient.State.CONNECTED));
        System.out.printf("[cluster] %d devices through factory, balanced DPS and balanced hub in %d ms%n", DEVICES,
                (System.nanoTime() - t0) / 1_000_000);
    }

    @AfterAll
    static void stop() throws Exception {
        for (Dev d : devices) {
            d.client.close();
        }
        if (rt != null) {
            rt.close();
        }
        if (store != null) {
            store.close();
        }
        if (up) {
            Run r = imprint(Duration.ofMinutes(2), "cluster", "down", "--data", dir.toString());
            assertThat(r.code()).as(r.out()).isZero();
        }
    }

    @Test
    @Order(1)
    void devices_spread_over_the_hub_nodes_and_the_directory_holds_exactly_the_live_sessions() {
        Map<String, Integer> perNode = hubNodes().stream().collect(Collectors.toMap(n -> n, n -> store.sessions().count(n)));
        System.out.println("[cluster] sessions per hub node " + perNode);
        assertThat(perNode.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(DEVICES);
        double share = (double) DEVICES / perNode.size();
        // leastconn over 30 connections: each node within +-25% of its share (a single connection is 10%)
        assertThat(perNode.values()).allSatisfy(n -> assertThat((double) n).isBetween(share * 0.75, share * 1.25));
        for (Dev d : devices) {
            assertThat(store.sessions().find(d.id)).as(d.id).isPresent();
        }
    }

    @Test
    @Order(2)
    void c2d_from_the_admin_node_reaches_devices_on_every_node_in_order() throws Exception {
        int each = 34; // 1,020 messages in all
        assertThat(Files.readString(dir.resolve("imprint.yaml"))).as("--kafka puts the node bus on Kafka").containsPattern("bus: \"?kafka");
        Map<String, Long> inboxBefore = inboxEnds();
        long t0 = System.nanoTime();
        // one sender per device keeps each device's order; the devices' senders run side by side
        java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<?>> posted = new ArrayList<>();
            for (Dev d : devices) {
                posted.add(senders.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        admin.post("/devices/" + d.id + "/c2d", Map.of("body", "m-" + i));
                    }
                }));
            }
            for (java.util.concurrent.Future<?> f : posted) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            senders.shutdownNow();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> devices.stream().allMatch(d -> d.c2d.size() >= each));
        System.out.printf("[cluster] %d c2d messages to devices on %d nodes delivered in %d ms, 0 lost%n", each * DEVICES,
                hubNodes().size(), (System.nanoTime() - t0) / 1_000_000);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < each; i++) {
            expected.add("m-" + i);
        }
        for (Dev d : devices) {
            assertThat(d.c2d).as(d.id).startsWith(expected.toArray(String[]::new));
        }
        // the admin node told each hub node through its Kafka inbox topic (cluster.bus: kafka), not through PostgreSQL
        Map<String, Long> inboxAfter = inboxEnds();
        System.out.println("[cluster] hub nodes' Kafka inbox ends before " + inboxBefore + " after " + inboxAfter);
        for (String n : hubNodes()) {
            assertThat(inboxAfter.get(n)).as("records in " + n + "'s inbox topic").isGreaterThan(inboxBefore.get(n));
        }
    }

    /** How often each body of these devices' records is in the telemetry topic (read from its start to its end now). */
    private static Map<String, Long> telemetryOnKafka(java.util.Set<String> devices) {
        Map<String, Long> out = new HashMap<>();
        try (org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]> c = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                Map.of("bootstrap.servers", KAFKA), new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> parts = c.partitionsFor(dev.imprint.kafka.KafkaSettings.DEFAULT_TELEMETRY_TOPIC).stream()
                    .map(i -> new org.apache.kafka.common.TopicPartition(i.topic(), i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<org.apache.kafka.common.TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    if (devices.contains(r.key())) {
                        out.merge(new String(r.value(), StandardCharsets.UTF_8), 1L, Long::sum);
                    }
                }
            }
        }
        return out;
    }

    /** The end offset of each hub node's inbox topic on the cluster's broker (KafkaBus: one partition each). */
    private static Map<String, Long> inboxEnds() {
        try (org.apache.kafka.clients.admin.Admin k = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", KAFKA))) {
            Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> ask = new HashMap<>();
            for (String n : hubNodes()) {
                ask.put(new org.apache.kafka.common.TopicPartition(dev.imprint.kafka.KafkaBus.DEFAULT_INBOX_PREFIX + n, 0),
                        org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            Map<String, Long> out = new HashMap<>();
            k.listOffsets(ask).all().get(30, TimeUnit.SECONDS).forEach((tp, info) ->
                    out.put(tp.topic().substring(dev.imprint.kafka.KafkaBus.DEFAULT_INBOX_PREFIX.length()), info.offset()));
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("listing the inbox topics' offsets on " + KAFKA, e);
        }
    }

    @Test
    @Order(4)
    void direct_methods_cross_nodes_and_a_disconnected_device_answers_at_once() {
        List<Long> micros = new ArrayList<>();
        for (Dev d : devices) {
            long t0 = System.nanoTime();
            JsonNode r = admin.post("/devices/" + d.id + "/methods/ping", Map.of("timeoutSeconds", 10, "payload", Map.of()));
            micros.add((System.nanoTime() - t0) / 1000);
            assertThat(r.path("status").asInt()).isEqualTo(200);
            assertThat(r.path("payload").path("pong").asText()).isEqualTo(d.id);
        }
        micros.sort(null);
        System.out.printf("[cluster] method round trip over nodes p50 %.1f ms p99 %.1f ms%n", micros.get(micros.size() / 2) / 1000.0,
                micros.get(micros.size() * 99 / 100) / 1000.0);

        Dev gone = devices.get(0);
        gone.client.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> store.sessions().find(gone.id).isEmpty());
        long t0 = System.nanoTime();
        Throwable t = catchThrowable(() -> admin.post("/devices/" + gone.id + "/methods/ping", Map.of("timeoutSeconds", 30)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("[cluster] method to a disconnected device answered in %d ms%n", ms);
        assertThat(t).hasMessageContaining("DEVICE_OFFLINE");
        assertThat(ms).isLessThan(1000);
    }

    @Test
    @Order(3)
    void desired_patches_from_the_admin_node_reach_a_device_on_every_node_each_version_in_order() {
        Map<String, Dev> byNode = new HashMap<>();
        for (Dev d : devices.subList(1, devices.size())) {
            store.sessions().find(d.id).ifPresent(e -> byNode.putIfAbsent(e.node(), d));
        }
        int patches = 10;
        Map<String, List<Long>> seen = new ConcurrentHashMap<>();
        for (Dev d : byNode.values()) {
            List<Long> versions = new CopyOnWriteArrayList<>();
            seen.put(d.id, versions);
            d.client.onDesiredProperties(patch -> versions.add(patch.path("$version").asLong()));
        }
        for (int i = 0; i < patches; i++) {
            for (Dev d : byNode.values()) {
                admin.post("/devices/" + d.id + "/twin/desired", Map.of("setpoint", i));
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.values().stream().allMatch(v -> v.size() >= patches));
        for (Map.Entry<String, List<Long>> e : seen.entrySet()) {
            List<Long> v = e.getValue();
            for (int i = 1; i < v.size(); i++) {
                assertThat(v.get(i)).as(e.getKey() + " versions " + v).isEqualTo(v.get(i - 1) + 1);
            }
        }
        System.out.printf("[cluster] %d desired patches to a device on each of %d nodes: every version seen, in order%n", patches, byNode.size());
    }

    @Test
    @Order(5)
    void revoked_devices_on_every_node_are_cut_off_within_a_second_and_refused_when_they_return() {
        List<Dev> victims = new ArrayList<>();
        Map<String, Dev> byNode = new HashMap<>();
        for (Dev d : devices.subList(1, devices.size())) {
            store.sessions().find(d.id).ifPresent(e -> byNode.putIfAbsent(e.node(), d));
        }
        victims.addAll(byNode.values());
        assertThat(victims).hasSize(hubNodes().size());
        Map<String, Long> cut = new ConcurrentHashMap<>();
        for (Dev v : victims) {
            int before = v.disconnects.size();
            long t0 = System.nanoTime();
            admin.post("/devices/" + v.id + "/revoke", Map.of("reason", "keyCompromise"));
            await().atMost(Duration.ofSeconds(6)).until(() -> v.disconnects.size() > before);
            cut.put(v.id, (v.disconnectedAt - t0) / 1_000_000);
        }
        System.out.println("[cluster] revocation to session closed, one device per node (ms): " + cut.values());
        assertThat(cut.values()).allSatisfy(ms -> assertThat(ms).isLessThan(1000));
        for (Dev v : victims) {
            await().atMost(Duration.ofSeconds(30)).until(() -> v.client.state() == DeviceClient.State.FAILED);
            v.client.close();
        }
        devices.removeAll(victims);
        devices.remove(0); // closed in the method test
    }

    @Test
    @Order(6)
    void kill_minus_9_of_a_hub_node_loses_no_c2d_and_its_devices_come_back_on_the_others() throws Exception {
        String victim = hubNodes().stream().max((a, b) -> Integer.compare(store.sessions().count(a), store.sessions().count(b))).orElseThrow();
        List<Dev> onVictim = devices.stream().filter(d -> store.sessions().find(d.id).map(e -> e.node().equals(victim)).orElse(false)).toList();
        assertThat(onVictim).isNotEmpty();
        Map<String, Integer> connectsBefore = new HashMap<>();
        onVictim.forEach(d -> connectsBefore.put(d.id, d.connects));
        // QoS 1 telemetry from every device on the victim, before, across and after the kill: each
        // message the device saw acknowledged must be in the telemetry topic (a PUBACK follows Kafka's
        // acknowledgement; the store keeps only a thinned recent window beside it)
        Map<String, CompletableFuture<Void>> sent = new ConcurrentHashMap<>();
        java.util.concurrent.ScheduledExecutorService senders = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        java.util.concurrent.atomic.AtomicInteger seq = new java.util.concurrent.atomic.AtomicInteger();
        senders.scheduleAtFixedRate(() -> {
            int n = seq.getAndIncrement();
            for (Dev d : onVictim) {
                String body = "kill-" + d.id + "-" + n;
                sent.put(body, d.client.send(body.getBytes(StandardCharsets.UTF_8), Map.of()));
            }
        }, 0, 20, TimeUnit.MILLISECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.values().stream().filter(CompletableFuture::isDone).count() >= 5L * onVictim.size());
        Run k = imprint(Duration.ofSeconds(30), "cluster", "kill", "--data", dir.toString(), victim);
        assertThat(k.code()).as(k.out()).isZero();
        long t0 = System.nanoTime();
        // queued while the devices are away: stored first, delivered when they are back
        for (Dev d : onVictim) {
            admin.post("/devices/" + d.id + "/c2d", Map.of("body", "after-kill"));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> onVictim.stream().allMatch(d -> d.connects > connectsBefore.get(d.id)
                && d.client.state() == DeviceClient.State.CONNECTED));
        long back = (System.nanoTime() - t0) / 1_000_000;
        await().atMost(Duration.ofSeconds(30)).until(() -> onVictim.stream().allMatch(d -> d.c2d.contains("after-kill")));
        System.out.printf("[cluster] kill -9 of %s (%d sessions): all back on the other nodes in %d ms, 0 c2d lost%n", victim,
                onVictim.size(), back);
        senders.shutdown();
        assertThat(senders.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture.allOf(sent.values().toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        Map<String, Long> stored = telemetryOnKafka(onVictim.stream().map(d -> d.id).collect(Collectors.toSet()));
        List<String> lost = sent.keySet().stream().filter(b -> !stored.containsKey(b)).sorted().toList();
        long duplicates = sent.keySet().stream().mapToLong(b -> stored.getOrDefault(b, 1L) - 1).sum();
        System.out.printf("[cluster] QoS 1 telemetry across the kill: %d acknowledged, %d lost, %d stored twice%n", sent.size(), lost.size(),
                duplicates);
        assertThat(lost).as("acknowledged QoS 1 messages missing from the telemetry topic").isEmpty();
        await().atMost(Duration.ofSeconds(30)).until(() -> store.sessions().count(victim) == 0);
        for (Dev d : onVictim) {
            assertThat(store.sessions().find(d.id)).hasValueSatisfying(e -> assertThat(e.node()).isNotEqualTo(victim));
        }
    }

    @Test
    @Order(7)
    void kill_minus_9_of_a_dps_node_during_registrations_fails_none() throws Exception {
        int count = 12;
        List<MemoryState> made = SimFactory.provision(admin, Endpoints.read(dir).est(), tmp.resolve("factory-2"), count, 4,
                new PrintWriter(Writer.nullWriter()), false);
        CloudConfig cloud = CloudConfig.fromEndpoints(dir);
        List<Dev> late = new ArrayList<>();
        for (MemoryState s : made) {
            Dev d = new Dev(s.deviceId().orElseThrow());
            d.client = new DeviceClient(rt, cloud, d.id, new Identity(s.key(), s.chain()), s, DeviceClient.Options.defaults(), d);
            late.add(d);
            devices.add(d);
        }
        late.forEach(d -> d.client.start());
        // the registrations are in flight (202 + polls 2 s apart): one DPS node goes now
        Run k = imprint(Duration.ofSeconds(30), "cluster", "kill", "--data", dir.toString(), nodes("dps").get(0));
        assertThat(k.code()).as(k.out()).isZero();
        await().atMost(Duration.ofSeconds(90)).until(() -> late.stream().allMatch(d -> d.client.state() == DeviceClient.State.CONNECTED));
        assertThat(late).allSatisfy(d -> assertThat(d.disconnects).as(d.id).noneMatch(c -> c.startsWith("FAILED")));
        System.out.printf("[cluster] kill -9 of a DPS node during %d registrations: %d registered and connected, 0 failed%n", count, count);
    }

    @Test
    @Order(8)
    void the_azure_sdks_register_through_the_balanced_dps_and_connect_through_the_balanced_hub_unchanged() throws Exception {
        MemoryState s = SimFactory.provision(admin, Endpoints.read(dir).est(), tmp.resolve("factory-3"), 1, 1,
                new PrintWriter(Writer.nullWriter()), false).get(0);
        String id = s.deviceId().orElseThrow();
        java.security.cert.X509Certificate root = dev.imprint.pki.Pem.readCertificate(Path.of(Endpoints.read(dir).trust()));
        AzureX509 sec = new AzureX509(id, s, root);
        // MQTT: the SDK's port 8883 is fixed, on the balanced DPS address 127.0.0.2
        var dps = com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClient.create("127.0.0.2",
                Files.readString(dir.resolve("dps").resolve("id-scope")).trim(),
                com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientTransportProtocol.MQTT, sec);
        var r = dps.registerDeviceSync(60);
        dps.close();
        assertThat(r.getDeviceId()).isEqualTo(id);
        assertThat(r.getIothubUri()).isEqualTo("127.0.0.3");
        var hub = new com.microsoft.azure.sdk.iot.device.DeviceClient("HostName=" + r.getIothubUri() + ";DeviceId=" + id + ";x509=true",
                com.microsoft.azure.sdk.iot.device.IotHubClientProtocol.MQTT,
                com.microsoft.azure.sdk.iot.device.ClientOptions.builder().sslContext(sec.getSSLContext()).build());
        try {
            hub.open(false);
            hub.sendEvent(new com.microsoft.azure.sdk.iot.device.Message("{\"through\":\"haproxy\"}"));
            await().atMost(Duration.ofSeconds(10)).until(() -> !store.telemetry().recent(id, 5).isEmpty());
            assertThat(store.sessions().find(id)).hasValueSatisfying(e -> assertThat(hubNodes()).contains(e.node()));
        } finally {
            hub.close();
        }
        System.out.println("[cluster] Azure SDKs: registered over MQTT through the balanced DPS, telemetry through the balanced hub");
    }

    /** The Azure provisioning SDK's X.509 security provider over a device made by the factory station; trusts only Imprint's root. */
    static final class AzureX509 extends com.microsoft.azure.sdk.iot.provisioning.security.SecurityProviderX509 {
        private final String id;
        private final List<java.security.cert.X509Certificate> chain;
        private final java.security.PrivateKey key;
        private final java.security.cert.X509Certificate root;

        AzureX509(String id, MemoryState s, java.security.cert.X509Certificate root) {
            this.id = id;
            this.chain = s.chain().stream().filter(c -> !c.getSubjectX500Principal().equals(c.getIssuerX500Principal())).toList();
            this.key = s.key().privateKey();
            this.root = root;
        }

        @Override
        public String getClientCertificateCommonName() {
            return id;
        }

        @Override
        public java.security.cert.X509Certificate getClientCertificate() {
            return chain.get(0);
        }

        @Override
        public java.security.Key getClientPrivateKey() {
            return key;
        }

        @Override
        public java.util.Collection<java.security.cert.X509Certificate> getIntermediateCertificatesChain() {
            return chain.subList(1, chain.size());
        }

        @Override
        public javax.net.ssl.SSLContext getSSLContext() {
            try {
                java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                trust.setCertificateEntry("imprint-root", root);
                var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
                java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                char[] pass = "x".toCharArray();
                keys.setKeyEntry("device", key, pass, chain.toArray(java.security.cert.X509Certificate[]::new));
                var kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, pass);
                javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
                ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
                return ctx;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    @Order(9)
    void kill_minus_9_of_the_crl_leader_a_new_one_publishes_numbers_keep_growing_and_ca_nodes_serve_the_same_bytes() throws Exception {
        List<String> cas = nodes("ca");
        assertThat(cas).hasSize(2);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        // every CA node serves the stored CRL: the same bytes
        await().atMost(Duration.ofSeconds(20)).until(() -> java.util.Arrays.equals(crl(http, cas.get(0), ""), crl(http, cas.get(1), "")));
        java.math.BigInteger before = crlNumber(crl(http, cas.get(1), "-delta")).max(crlNumber(crl(http, cas.get(1), "")));
        Run k = imprint(Duration.ofSeconds(30), "cluster", "kill", "--data", dir.toString(), cas.get(0));
        assertThat(k.code()).as(k.out()).isZero();
        Dev v = devices.stream().filter(d -> d.client.state() == DeviceClient.State.CONNECTED).findFirst().orElseThrow();
        java.math.BigInteger serial = v.client.operationalCertificate().getSerialNumber();
        long t0 = System.nanoTime();
        admin.post("/devices/" + v.id + "/revoke", Map.of("reason", "keyCompromise"));
        // the leader publishes a delta at once and a full CRL after it: the serial is in one of the two
        await().atMost(Duration.ofSeconds(15)).until(() -> parse(crl(http, cas.get(1), "-delta")).getRevokedCertificate(serial) != null
                || parse(crl(http, cas.get(1), "")).getRevokedCertificate(serial) != null);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        java.math.BigInteger after = crlNumber(crl(http, cas.get(1), "-delta")).max(crlNumber(crl(http, cas.get(1), "")));
        assertThat(after).isGreaterThan(before);
        System.out.printf("[cluster] kill -9 of %s: the revocation that followed is in %s's CRLs after %d ms; CRL number %s -> %s%n",
                cas.get(0), cas.get(1), ms, before, after);
    }

    /** The operational CA's full ({@code ""}) or delta ({@code "-delta"}) CRL as one CA node serves it, directly (not balanced). */
    private static byte[] crl(java.net.http.HttpClient http, String node, String kind) throws Exception {
        String address = null;
        for (JsonNode n : JSON.readTree(dir.resolve("cluster.json").toFile()).path("nodes")) {
            if (n.path("name").asText().equals(node)) {
                address = n.path("address").asText();
            }
        }
        var rsp = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + address + ":8080/crl/operational" + kind + ".crl"))
                .timeout(Duration.ofSeconds(5)).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(rsp.statusCode()).as(node + " " + kind).isEqualTo(200);
        return rsp.body();
    }

    private static java.security.cert.X509CRL parse(byte[] der) throws Exception {
        return (java.security.cert.X509CRL) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCRL(new java.io.ByteArrayInputStream(der));
    }

    private static java.math.BigInteger crlNumber(byte[] der) throws Exception {
        byte[] ext = parse(der).getExtensionValue("2.5.29.20");
        return org.bouncycastle.asn1.ASN1Integer.getInstance(
                org.bouncycastle.asn1.ASN1OctetString.getInstance(ext).getOctets()).getValue();
    }

    private static List<String> hubNodes() {
        return nodes("hub:hub-1");
    }

    /** The names of the nodes with {@code role}, from the launcher's cluster.json. */
    private static List<String> nodes(String role) {
        try {
            JsonNode state = JSON.readTree(dir.resolve("cluster.json").toFile());
            List<String> out = new ArrayList<>();
            for (JsonNode n : state.path("nodes")) {
                if (java.util.Arrays.asList(n.path("roles").asText().split(",")).contains(role)) {
                    out.add(n.path("name").asText());
                }
            }
            return out;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> storeEnv() {
        return Map.of();
    }

    record Run(int code, String out) {}

    static Run imprint(Duration limit, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(NODE_JVM.split(" ")));
        cmd.addAll(List.of("-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile(tmp, "imprint-cli", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        // seven node JVMs start on two cores: C1 alone spares the CPU that C2 spends compiling start-up code
        pb.environment().put("IMPRINT_JAVA_OPTS", NODE_JVM);
        Process p = pb.start();
        if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", args) + " did not finish in " + limit + ":\n" + Files.readString(log));
        }
        return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
