package dev.imprint.bench.lifecycle;

import dev.imprint.device.Csrs;
import dev.imprint.device.DeviceKey;
import dev.imprint.device.cloud.CloudConfig;
import dev.imprint.pki.Pem;
import dev.imprint.server.cli.AdminClient;
import dev.imprint.server.lifecycle.FleetReport;
import dev.imprint.server.lifecycle.FleetSimulator;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code imprint device simulate} as a benchmark: the server ({@code imprint up}: CA, EST, DPS, two
 * hubs) in a child JVM and N simulated devices, each with its own key, in this one; fresh data folder in /dev/shm. Prints
 * per stage the wall time, the rate and the process CPU per device, the peak RSS, the telemetry
 * rate held; then, in the same run, bare mutual-TLS handshakes between {@code openssl s_time} and
 * {@code openssl s_server} with a device certificate of the same CA, with both processes' CPU per
 * handshake: the floor for a device's two new connections (DPS and hub).
 *
 * <p>Args: {@code --devices N} (10000), {@code --seconds S} of telemetry (60), {@code --rate R}
 * messages/s per device (1), {@code --parallel P} (64).
 */
public final class LifecycleBench {
    private static final Pattern STIME = Pattern.compile("(\\d+) connections in ([\\d.]+)s");

    public static void main(String[] args) throws Exception {
        int devices = Integer.parseInt(arg(args, "--devices", "10000"));
        int seconds = Integer.parseInt(arg(args, "--seconds", "60"));
        double rate = Double.parseDouble(arg(args, "--rate", "1"));
        int parallel = Integer.parseInt(arg(args, "--parallel", "64"));
        Path base = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
        Path dir = Files.createTempDirectory(base, "imprint-lifecycle-bench-");
        Path data = dir.resolve("data");
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        System.out.printf("lifecycle bench: %d devices, %d s of telemetry at %s msg/s each, parallel %d, %d cores, data %s%n",
                devices, seconds, rate, parallel, Runtime.getRuntime().availableProcessors(), data);
        List<long[]> marks = new ArrayList<>(); // {nanoTime, process CPU nanos}
        PrintWriter out = new PrintWriter(System.out, true);
        // the server in its own JVM (as 'imprint up'): the hard limit of 20,000 open files here cannot hold
        // 10,000 device sockets and their 10,000 server ends in one process
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.put("IMPRINT_CA_PASSPHRASE", "bench-passphrase");
        env.put("IMPRINT_AWS_ENABLED", "false");
        env.put("IMPRINT_DPS_RATE", "100000");
        env.put("IMPRINT_LOG_LEVEL", "WARN");
        env.put("IMPRINT_PKI_PORT", Integer.toString(freePort()));
        env.put("IMPRINT_HTTPS_PORT", Integer.toString(freePort()));
        env.put("IMPRINT_DPS_HTTPS_PORT", Integer.toString(freePort()));
        env.put("IMPRINT_DPS_MQTT_PORT", "-1");
        env.put("IMPRINT_HUBS", "hub-1=127.0.0.3:" + freePort() + ",hub-2=127.0.0.4:" + freePort());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx3g"));
        // extra options for the server JVM only (e.g. a JFR recording): BENCH_SERVER_JAVA_OPTS="-XX:StartFlightRecording=..."
        String extra = System.getenv("BENCH_SERVER_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.imprint.server.Main", "up", "--data", data.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile());
        pb.environment().putAll(env);
        Process serverProc = pb.start();
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!Files.exists(data.resolve("endpoints.json")) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        Thread.sleep(1000);
        try {
            FleetSimulator sim = new FleetSimulator(AdminClient.forDataDir(data), CloudConfig.fromEndpoints(data), dir.resolve("sim"), out, false,
                    text -> marks.add(new long[] {System.nanoTime(), cpu() + procCpu(serverProc.pid())}));
            FleetReport rep = sim.run(new FleetSimulator.Options(devices, rate, Duration.ofSeconds(seconds), 0, parallel));
            long[] end = {System.nanoTime(), cpu() + procCpu(serverProc.pid())};
            rep.print(out);
            // marks: 0 factory starts, 1 registration starts, 2 telemetry starts
            stage("factory (station, EST, possession proof, ledger)", marks.get(0), marks.get(1), rep.provisioned);
            stage("DPS + hub (2 new mTLS connections, CSR, registry)", marks.get(1), marks.get(2), rep.connected.get());
            stage("factory to hub, whole chain", marks.get(0), marks.get(2), rep.connected.get());
            double telemetrySecs = (end[0] - marks.get(2)[0]) / 1e9;
            System.out.printf("telemetry: %d messages acknowledged in %.1f s = %.0f messages/s held (%d failed, %d queued at end)%n",
                    rep.acked.get(), telemetrySecs, rep.acked.get() / telemetrySecs, rep.lost.get(), rep.unacked);
            System.out.printf("peak RSS: devices' process (%d devices) %d MB, server process (CA, DPS, 2 hubs) %d MB%n", devices,
                    peakRssKb("self") / 1024, peakRssKb(Long.toString(serverProc.pid())) / 1024);
            List<long[]> stageCpu = marks;
            double chainCpuMs = (stageCpu.get(2)[1] - stageCpu.get(0)[1]) / 1e6 / Math.max(1, rep.connected.get());
            double[] ossl = opensslHandshakes(data, dir);
            System.out.printf("openssl s_server + s_time, bare mTLS handshakes (same CA, P-256): %.0f /s, CPU %.2f ms (server) + %.2f ms (client) per handshake%n",
                    ossl[0], ossl[1], ossl[2]);
            System.out.printf("whole chain CPU per device %.2f ms = %.1f x two bare OpenSSL handshakes (%.2f ms)%n",
                    chainCpuMs, chainCpuMs / (2 * (ossl[1] + ossl[2])), 2 * (ossl[1] + ossl[2]));
        } finally {
            serverProc.destroy();
            serverProc.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private static void stage(String name, long[] from, long[] to, int n) {
        double secs = (to[0] - from[0]) / 1e9;
        System.out.printf("stage %-52s %6d in %6.1f s = %6.0f devices/s, process CPU %.2f ms per device%n", name, n, secs, n / secs,
                (to[1] - from[1]) / 1e6 / Math.max(1, n));
    }

    /** {rate, server CPU ms per handshake, client CPU ms per handshake}. */
    private static double[] opensslHandshakes(Path data, Path dir) throws Exception {
        // a factory certificate of the same CA, through a station (EST), as the devices got theirs
        DeviceKey key = DeviceKey.generate();
        com.fasterxml.jackson.databind.JsonNode st = AdminClient.forDataDir(data).post("/stations",
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("name", "bench-ossl").put("idPattern", "bench-.*"));
        dev.imprint.factory.est.CaClient ca = new dev.imprint.factory.est.CaClient(new dev.imprint.factory.est.StationCredential("bench-ossl",
                Pem.readCertificates(st.get("certificate").asText()).get(0), Pem.readPrivateKey(st.get("key").asText(), null),
                Pem.readCertificates(st.get("chain").asText())), CloudConfig.fromEndpoints(data).est().toString());
        java.security.cert.X509Certificate cert;
        try (ca) {
            cert = ca.enroll(Csrs.build(key, "bench-device"));
        }
        Files.writeString(dir.resolve("dev.crt"), Pem.write(cert) + Pem.write(data.resolve("pki/manufacturing.crt").toFile().exists()
                ? Pem.readCertificates(data.resolve("pki/manufacturing.crt")).toArray() : new Object[0]));
        Files.writeString(dir.resolve("dev.key"), Pem.write(key.privateKey()));
        int port = freePort();
        String trust = data.resolve("pki/root.crt").toString();
        Process s = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert", data.resolve("tls/server.crt").toString(),
                "-key", data.resolve("tls/server.key").toString(), "-CAfile", trust, "-Verify", "3", "-quiet", "-naccept", "1000000")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Thread.sleep(1000);
            long s0 = procCpu(s.pid());
            Process t = new ProcessBuilder("openssl", "s_time", "-connect", "127.0.0.1:" + port, "-new", "-time", "10",
                    "-cert", dir.resolve("dev.crt").toString(), "-key", dir.resolve("dev.key").toString(), "-CAfile", trust)
                    .redirectErrorStream(true).start();
            long lastT = 0;
            StringBuilder text = new StringBuilder();
            Thread reader = new Thread(() -> {
                try {
                    text.append(new String(t.getInputStream().readAllBytes()));
                } catch (java.io.IOException ignored) {
                    // the output is best effort
                }
            });
            reader.start();
            while (t.isAlive()) {
                long v = procCpu(t.pid());
                lastT = v > 0 ? v : lastT;
                Thread.sleep(50);
            }
            reader.join();
            long s1 = procCpu(s.pid());
            Matcher m = STIME.matcher(text);
            if (!m.find()) {
                System.out.println("openssl s_time printed no rate:\n" + text);
                return new double[] {Double.NaN, Double.NaN, Double.NaN};
            }
            long n = Long.parseLong(m.group(1));
            double secs = Double.parseDouble(m.group(2));
            return new double[] {n / secs, (s1 - s0) / 1e6 / n, lastT / 1e6 / n};
        } finally {
            s.destroy();
        }
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket ss = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return ss.getLocalPort();
        }
    }

    private static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long procCpu(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    private static long peakRssKb(String pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc", pid, "status"))) {
                if (l.startsWith("VmHWM:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (java.io.IOException ignored) {
            // not Linux
        }
        return -1;
    }

    private static String arg(String[] args, String name, String dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return dflt;
    }
}
