package dev.imprint.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code java -jar imprint.jar cluster ...} commands with Debian's PostgreSQL and HAProxy
 * on loopback: up, status, kill, restart, down, and every recorded PID gone at the end.
 *
 * <p>{@link #launcher_with_stand_in_nodes} runs the launcher's own machinery with {@link StubNode}
 * as the node (so it does not depend on the node's roles): the database, the balancer passing TLS
 * ports through with PROXY v2 from 127.0.0.9, fail-over to the other hub node after a kill.
 * {@link #real_nodes} runs real {@code imprint up} nodes; it needs {@code up --roles} in the jar.
 */
class ClusterLauncherIT {
    private static final Path JAR = Path.of("target", "imprint.jar").toAbsolutePath();
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NODES = "127.0.77";
    private static final String KAFKA = "127.0.15.3:9092";
    /**
     * JVM options of the CLI runs, the stand-in nodes and the real nodes: these JVMs live seconds,
     * so C2 and a parallel collector only cost CPU; key files made here need not cost what
     * production's do (Pem.KEY_FILE_ITERATIONS). As in the lifecycle ClusterIT.
     */
    private static final String SHORT_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dimprint.keyFile.iterations=1000";

    @TempDir
    Path tmp;
    Path data;

    @BeforeEach
    void prerequisites() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(Haproxy.DEFAULT_BINARY), "haproxy is not installed (apt-get install haproxy)");
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/usr/lib/postgresql")), "PostgreSQL is not installed (apt-get install postgresql)");
        assertThat(JAR).as("run with 'mvn verify' (package builds the jar)").exists();
        // the user postgres must reach <data>/pg: JUnit's temp folder is closed to others
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        data = tmp.resolve("cluster");
        // addresses of this test's own: other tests on this machine run 'imprint up' on the default ones
        Files.createDirectories(data);
        Files.writeString(data.resolve("imprint.yaml"), """
                pki: {address: 127.0.76.1, port: 8080}
                https: {address: 127.0.76.1, port: 8443}
                dps:
                  https: {address: 127.0.76.1, port: 9443}
                  mqtt: {address: 127.0.76.2, port: 8883}
                hubs:
                  - {name: hub-1, address: 127.0.76.3, port: 8883}
                """);
    }

    @AfterEach
    void stopEverything() throws Exception {
        ClusterState s = ClusterState.read(data);
        if (s != null) { // the test failed before 'cluster down': stop what the state records, by PID
            new LocalCluster(data, new PrintWriter(new StringWriter())).down(Duration.ofSeconds(5));
        }
    }

    @Test
    void launcher_with_stand_in_nodes() throws Exception {
        String stub = JAVA + " -Xmx32m " + SHORT_JVM + " -cp " + Path.of("target", "test-classes").toAbsolutePath() + " " + StubNode.class.getName() + " 8883 9443";
        Run up = imprint(Duration.ofSeconds(150), "cluster", "up", "--data", data.toString(), "--nodes", "ca,admin=1;dps=1;hub:hub-1=2",
                "--node-addresses", NODES, "--timeout", "60", "--node-command", stub, "--kafka=" + KAFKA);
        assertThat(up.exit()).as(up.output()).isZero();
        assertThat(up.output()).contains("healthy ca-admin-1", "healthy hub-1-2", "The cluster is up", "kafka     " + KAFKA);
        // --kafka: a broker in its own JVM (not a child left to the launcher), in the nodes' configuration and in endpoints.json
        assertThat(Files.readString(data.resolve("imprint.yaml"))).contains("kafka:", KAFKA).containsPattern("bus: \"?kafka");
        assertThat(JSON.readTree(data.resolve("endpoints.json").toFile()).path("kafka").path("bootstrap").asText()).isEqualTo(KAFKA);
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                java.util.Map.of("bootstrap.servers", KAFKA))) {
            assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
        }

        JsonNode endpoints = JSON.readTree(data.resolve("endpoints.json").toFile());
        assertThat(endpoints.path("pki").asText()).isEqualTo("http://127.0.76.1:8080");
        assertThat(endpoints.path("est").asText()).isEqualTo("https://127.0.76.1:8443/.well-known/est");
        assertThat(endpoints.path("dps").path("https").asText()).isEqualTo("https://127.0.76.1:9443");
        assertThat(endpoints.path("hubs").get(0).path("mqtt").asText()).isEqualTo("mqtts://127.0.76.3:8883");
        assertThat(endpoints.path("nodes").findValuesAsText("name")).containsExactly("ca-admin-1", "dps-1", "hub-1-1", "hub-1-2");
        assertThat(endpoints.path("nodes").findValues("pid")).allSatisfy(pid -> assertThat(pid.asLong()).isPositive());

        ClusterState state = ClusterState.read(data);
        List<OwnProcess> processes = new ArrayList<>(state.nodes().stream().map(ClusterState.Node::process).toList());
        processes.add(state.haproxy());
        processes.add(state.kafka().process());
        assertThat(processes).allSatisfy(p -> assertThat(p.alive()).isTrue());
        long postmaster = new LocalPostgres(data, Path.of(state.postgres().binDir())).pid();
        assertThat(ProcessHandle.of(postmaster)).isPresent();
        assertDatabase(state.postgres());

        Run status = imprint(Duration.ofSeconds(30), "cluster", "status", "--data", data.toString());
        assertThat(status.exit()).as(status.output()).isZero();
        assertThat(status.output().lines().filter(l -> l.matches("^(ca-admin|dps|hub-1)-\\d .* up .*"))).hasSize(4);

        // through HAProxy: TLS ports passed through with the client's address in a PROXY v2 header, from the balancer's address
        assertThat(ask("127.0.76.3", 8883)).matches("node=hub-1-[12] peer=127\\.0\\.0\\.9 proxied=127(\\.\\d+){3}:\\d+");
        assertThat(ask("127.0.76.1", 9443)).matches("node=dps-1 peer=127\\.0\\.0\\.9 proxied=127(\\.\\d+){3}:\\d+");

        OwnProcess killed = state.node("hub-1-2").process();
        Run kill = imprint(Duration.ofSeconds(30), "cluster", "kill", "hub-1-2", "--data", data.toString());
        assertThat(kill.exit()).as(kill.output()).isZero();
        assertThat(killed.alive()).isFalse();
        // one status run is a JVM start; on a loaded machine (and with the Kafka broker running) it alone can take 15 s
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Run s = imprint(Duration.ofSeconds(30), "cluster", "status", "--data", data.toString());
            assertThat(s.exit()).isEqualTo(1);
            assertThat(s.output()).containsPattern("hub-1-2 +hub:hub-1 +- +127\\.0\\.77\\.4 .* down +DOWN");
        });
        for (int i = 0; i < 4; i++) { // fail-over: every new connection reaches the node left
            assertThat(ask("127.0.76.3", 8883)).startsWith("node=hub-1-1 ");
        }
        assertThat(imprint(Duration.ofSeconds(30), "cluster", "kill", "hub-1-2", "--data", data.toString()).output()).contains("not running");

        Run restart = imprint(Duration.ofSeconds(60), "cluster", "restart", "hub-1-2", "--data", data.toString());
        assertThat(restart.exit()).as(restart.output()).isZero();
        OwnProcess again = ClusterState.read(data).node("hub-1-2").process();
        assertThat(again.pid()).isNotEqualTo(killed.pid());
        assertThat(again.alive()).isTrue();
        processes.add(again);

        Run down = imprint(Duration.ofSeconds(60), "cluster", "down", "--data", data.toString());
        assertThat(down.exit()).as(down.output()).isZero();
        assertThat(down.output()).contains("stopped kafka", "stopped haproxy", "stopped postgres", "The cluster is down");
        assertThat(processes).allSatisfy(p -> assertThat(p.alive()).as("pid " + p.pid()).isFalse());
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(postmaster).map(h -> !h.isAlive()).orElse(true));
        assertThat(ClusterState.read(data)).isNull();
        Run after = imprint(Duration.ofSeconds(30), "cluster", "status", "--data", data.toString());
        assertThat(after.exit()).isEqualTo(1);
        assertThat(after.output()).contains("no cluster recorded");
    }

    @Test
    void a_node_that_exits_is_named_with_its_log_and_everything_started_is_stopped() throws Exception {
        Run up = imprint(Duration.ofSeconds(90), "cluster", "up", "--data", data.toString(), "--nodes", "ca=1;hub:hub-1=1",
                "--node-addresses", NODES, "--timeout", "30", "--node-command", JAVA + " -cp /nonexistent NoSuchNode");
        assertThat(up.exit()).isEqualTo(1);
        assertThat(up.output()).contains("node ca-1 exited with code 1", data.resolve("logs").resolve("ca-1.log").toString(),
                "stopping what was started");
        assertThat(ClusterState.read(data)).isNull();
        assertThat(new LocalPostgres(data, LocalPostgres.binaries(null)).running()).as("PostgreSQL stopped again").isFalse();
        assertThat(Files.exists(data.resolve("pg").resolve("PG_VERSION"))).as("the database stays for the next try").isTrue();
    }

    @Test
    void real_nodes() throws Exception {
        Run help = imprint(Duration.ofSeconds(30), "up", "--help");
        Assumptions.assumeTrue(help.output().contains("--roles"), "this build's 'imprint up' cannot run a node's roles yet");
        Run up = imprint(Duration.ofSeconds(150), "cluster", "up", "--data", data.toString(), "--nodes", "ca,admin=1;dps=1;hub:hub-1=2",
                "--node-addresses", NODES, "--timeout", "100", "--java-opts", "-Xmx256m " + SHORT_JVM);
        assertThat(up.exit()).as(up.output()).isZero();
        JsonNode endpoints = JSON.readTree(data.resolve("endpoints.json").toFile());
        assertThat(Path.of(endpoints.path("trust").asText())).exists();
        assertThat(endpoints.path("dps").path("idScope").asText()).isNotEmpty();
        assertThat(endpoints.path("nodes").findValuesAsText("name")).containsExactly("ca-admin-1", "dps-1", "hub-1-1", "hub-1-2");
        ClusterState state = ClusterState.read(data);
        assertThat(state.nodes()).allSatisfy(n -> assertThat(ClusterStatus.state(n)).isEqualTo(ClusterStatus.State.UP));
        List<OwnProcess> processes = new ArrayList<>(state.nodes().stream().map(ClusterState.Node::process).toList());
        processes.add(state.haproxy());

        assertThat(imprint(Duration.ofSeconds(30), "cluster", "kill", "hub-1-2", "--data", data.toString()).exit()).isZero();
        Run status = imprint(Duration.ofSeconds(30), "cluster", "status", "--data", data.toString());
        assertThat(status.exit()).isEqualTo(1);
        assertThat(status.output()).containsPattern("hub-1-2 .* down");

        Run down = imprint(Duration.ofSeconds(60), "cluster", "down", "--data", data.toString());
        assertThat(down.exit()).as(down.output()).isZero();
        assertThat(processes).allSatisfy(p -> assertThat(p.alive()).as("pid " + p.pid()).isFalse());
    }

    private void assertDatabase(ClusterState.Postgres pg) throws Exception {
        String password = Files.readString(data.resolve("secrets").resolve("store-password")).trim();
        try (Connection c = DriverManager.getConnection(pg.url(), "imprint", password);
                ResultSet rs = c.createStatement().executeQuery("SHOW fsync")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("on");
        }
    }

    /** Connects to a frontend and reads the stand-in node's one-line answer. */
    private static String ask(String host, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 3000);
            s.setSoTimeout(5000);
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    record Run(int exit, String output) {}

    private static Run imprint(Duration timeout, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "-Xmx256m"));
        cmd.addAll(List.of(SHORT_JVM.split(" ")));
        cmd.addAll(List.of("-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("imprint-cluster", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("imprint " + String.join(" ", args) + " did not finish within " + timeout + ":\n" + Files.readString(out));
            }
            return new Run(p.exitValue(), Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
