package dev.imprint.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.device.Device;
import dev.imprint.device.FolderState;
import dev.imprint.device.bus.BusAddress;
import dev.imprint.device.bus.BusChannel;
import dev.imprint.device.bus.BusException;
import dev.imprint.device.bus.Buses;
import dev.imprint.server.up.Node;
import dev.imprint.store.CertificateRecord;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The line with real processes: device JVMs over a UNIX socket, kill -9 of the station, revocation, garbage on the bus. */
class FactoryProcessesIT {
    @TempDir
    static Path data;
    @TempDir
    static Path work;
    static Map<String, String> env;
    static Node server;

    @BeforeAll
    static void up() throws Exception {
        env = Fixture.env();
        server = Fixture.start(data, env);
    }

    @AfterAll
    static void down() {
        if (server != null) {
            server.close();
        }
    }

    static Process imprint(Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", Fixture.JAR.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        return pb.start();
    }

    static String read(Path p) throws Exception {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    static void await(Process p, Path log, int seconds) throws Exception {
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("process " + p.pid() + " did not finish:\n" + read(log));
        }
    }

    @Test
    @Timeout(150)
    void twenty_device_processes_join_over_a_unix_socket() throws Exception {
        Path st = FactoryLineIT.stationIn(work, data, "sock");
        Path sock = work.resolve("bus.sock");
        Path stationLog = work.resolve("station-sock.log");
        Process station = imprint(stationLog, "factory", "run", "--station", st.toString(), "--bus", "unix:" + sock, "--count", "20",
                "--batch", "sockets", "--parallel", "8", "--data", data.toString(), "--plain");
        try {
            List<Process> devices = new ArrayList<>();
            List<Path> logs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Path log = work.resolve("device-" + i + ".log");
                logs.add(log);
                devices.add(imprint(log, "device", "factory-join", "--bus", "unix:" + sock, "--state", work.resolve("dev-" + i).toString()));
            }
            for (int i = 0; i < 20; i++) {
                await(devices.get(i), logs.get(i), 120);
                assertThat(devices.get(i).exitValue()).as(read(logs.get(i))).isZero();
                assertThat(read(logs.get(i))).contains("provisioned sock-");
            }
            await(station, stationLog, 60);
            assertThat(station.exitValue()).as(read(stationLog)).isZero();
        } finally {
            station.destroyForcibly();
        }
        assertThat(server.store().ledger().count("sockets")).isEqualTo(20);
        for (int i = 0; i < 20; i++) {
            FolderState s = new FolderState(work.resolve("dev-" + i));
            assertThat(s.provisioned()).isTrue();
            assertThat(s.key().matches(s.chain().get(0).getPublicKey())).isTrue();
        }
    }

    @Test
    @Timeout(150)
    void kill_9_of_the_station_then_rerun_finishes_the_batch_without_duplicates() throws Exception {
        Path st = FactoryLineIT.stationIn(work, data, "crash");
        String[] args = {"factory", "run", "--station", st.toString(), "--bus", "sim", "--count", "600", "--batch", "crash",
                "--parallel", "8", "--data", data.toString(), "--plain"};
        Path log1 = work.resolve("crash-1.log");
        Process first = imprint(log1, args);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (server.store().ledger().count("crash") < 150 && System.nanoTime() < deadline && first.isAlive()) {
            Thread.sleep(20);
        }
        assertThat(first.isAlive()).as(read(log1)).isTrue();
        first.destroyForcibly(); // SIGKILL on Linux
        first.waitFor(10, TimeUnit.SECONDS);
        long atKill = server.store().ledger().count("crash");
        assertThat(atKill).isLessThan(600);

        Path log2 = work.resolve("crash-2.log");
        Process second = imprint(log2, args);
        await(second, log2, 90);
        assertThat(second.exitValue()).as(read(log2)).isZero();
        assertThat(read(log2)).contains("600/600 in the batch");

        assertThat(server.store().ledger().count("crash")).isEqualTo(600);
        List<CertificateRecord> issued = server.store().certificates().list(null, 10_000, 0).stream()
                .filter(c -> "station:crash".equals(c.requestedBy())).toList();
        Map<String, Long> perId = issued.stream().collect(Collectors.groupingBy(CertificateRecord::deviceId, Collectors.counting()));
        assertThat(perId.values()).allMatch(n -> n == 1); // no certificate issued twice for one ID
        assertThat(perId).hasSize(600); // every issued certificate ended up installed and in the ledger
        assertThat(server.store().ledger().list("crash", 10_000, 0).stream().map(e -> e.deviceId()).distinct().count()).isEqualTo(600);
    }

    @Test
    @Timeout(120)
    void revoked_station_stops_the_line() throws Exception {
        Path st = FactoryLineIT.stationIn(work, data, "rev");
        CompletableFuture<Fixture.Run> run = CompletableFuture.supplyAsync(() -> Fixture.cli("factory", "run", "--station", st.toString(),
                "--bus", "sim", "--count", "100000", "--batch", "rev", "--parallel", "4", "--data", data.toString(), "--plain"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (server.store().ledger().count("rev") < 50 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        var revoke = Fixture.cli("station", "revoke", "rev", "--data", data.toString());
        assertThat(revoke.code()).as(revoke.all()).isZero();
        long issuedAtRevocation = issuedBy("station:rev");
        Fixture.Run r = run.get(30, TimeUnit.SECONDS);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).containsPattern("line stopped: (STATION_REVOKED|AUTH_REFUSED)");
        // what was in flight at the CA when the revocation landed may finish; nothing starts afterwards
        assertThat(issuedBy("station:rev") - issuedAtRevocation).isLessThanOrEqualTo(4);
        assertThat(server.store().ledger().count("rev")).isLessThan(100000);
    }

    private static long issuedBy(String requestedBy) {
        return server.store().certificates().list(null, 100_000, 0).stream().filter(c -> requestedBy.equals(c.requestedBy())).count();
    }

    @Test
    @Timeout(120)
    void garbage_oversized_frames_and_foreign_ids_are_refused_and_the_line_goes_on() throws Exception {
        Path st = FactoryLineIT.stationIn(work, data, "mixed");
        int port = Fixture.freePort();
        CompletableFuture<Fixture.Run> run = CompletableFuture.supplyAsync(() -> Fixture.cli("factory", "run", "--station", st.toString(),
                "--bus", "tcp:127.0.0.1:" + port, "--count", "1", "--batch", "mixed", "--parallel", "2", "--data", data.toString(),
                "--plain", "--timeout", "5"));
        // 1. an HTTP client on the bus: refused after the header, connection closed
        try (Socket s = connect(port)) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertHungUp(s);
        }
        // 2. a frame header announcing 1 GiB: refused without reading (or allocating) it
        try (Socket s = connect(port)) {
            s.getOutputStream().write(new byte[] {'I', 'F', 1, 1, 0x40, 0, 0, 0});
            assertHungUp(s);
        }
        // 3. a device asking for an ID outside the station's range: the CA refuses, nothing issued
        try (BusChannel ch = Buses.connect(BusAddress.parse("tcp:127.0.0.1:" + port), Duration.ofSeconds(10))) {
            FolderState s = new FolderState(work.resolve("foreign"));
            s.saveDeviceId("other-00000001");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Device(s).factoryJoin(ch, Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(BusException.class, e -> assertThat(e.code()).isEqualTo("ID_NOT_ALLOWED"));
        }
        assertThat(server.store().certificates().findByDevice("other-00000001")).isEmpty();
        // 4. a good device still gets through
        try (BusChannel ch = Buses.connect(BusAddress.parse("tcp:127.0.0.1:" + port), Duration.ofSeconds(10))) {
            Device.JoinResult j = new Device(new FolderState(work.resolve("good"))).factoryJoin(ch, Duration.ofSeconds(10));
            assertThat(j.deviceId()).startsWith("mixed-");
        }
        Fixture.Run r = run.get(30, TimeUnit.SECONDS);
        assertThat(r.code()).as(r.all()).isZero();
        assertThat(r.out()).contains("provisioned 1 this run").contains("refused 3");
    }

    @Test
    void refuses_a_non_loopback_tcp_bus() {
        var r = Fixture.cli("factory", "run", "--station", work.toString(), "--bus", "tcp:192.0.2.1:9000", "--count", "1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("loopback only");
    }

    /** The station closed the connection (an orderly close, or a reset because our garbage was left unread). */
    private static void assertHungUp(Socket s) throws Exception {
        try {
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        } catch (java.net.SocketException reset) {
            assertThat(reset.getMessage()).contains("reset");
        }
    }

    private static Socket connect(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
                s.setSoTimeout(10_000);
                return s;
            } catch (java.net.ConnectException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }
}
