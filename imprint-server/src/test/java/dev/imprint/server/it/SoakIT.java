package dev.imprint.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.device.cloud.CloudConfig;
import dev.imprint.server.cli.AdminClient;
import dev.imprint.server.lifecycle.FleetReport;
import dev.imprint.server.lifecycle.FleetSimulator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bounded soak of issue 15, for the server process: a real {@code imprint up} process and
 * a fleet of 16 devices in this JVM that rotates every 10 s, churns a device every 2 s (reconnect, away and
 * registered again, operational certificate revoked) and sends 1 msg/s per device. After a
 * warm-up the server's heap used after a forced GC and its RSS are read at three points; the
 * test fails when a series rises at both steps by more than its margin in all. Margins are wide
 * (a loaded 2-core CI machine; G1 and malloc settle for minutes): this catches memory kept per
 * message or per rotation at the rate of a real leak over a minute, not kilobytes; the 30-minute
 * figures are bench/soak (bench/README.md, "Soak").
 */
class SoakIT {
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    private static final long HEAP_MARGIN_KB = 24 * 1024;
    private static final long RSS_MARGIN_KB = 64 * 1024;

    record Point(long heapKb, long rssKb) {}

    @Test
    @Timeout(360)
    void server_memory_levels_off_under_rotation_churn_and_telemetry(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        Map<String, String> env = Fixture.env();
        env.put("IMPRINT_DPS_HTTPS_PORT", Integer.toString(Fixture.freePort()));
        env.put("IMPRINT_DPS_MQTT_PORT", "-1");
        env.put("IMPRINT_DPS_DEVICE_RATE", "0");
        env.put("IMPRINT_CA_OPERATIONAL_VALIDITY_DAYS", "15s");
        env.put("IMPRINT_CA_CRL_NEXT_UPDATE_SECONDS", "20s");
        env.put("IMPRINT_HUB_TELEMETRY_RETENTION", "30s");
        env.put("IMPRINT_CA_EXPIRED_CERTIFICATE_RETENTION", "10s"); // pruned every 5 s: the certificates table levels off too
        try (ServerProcess server = ServerProcess.start(data, env, tmp, Duration.ofSeconds(150))) {
            // seen once on a machine at load 30: healthy before the admin trust file was readable
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Files.isReadable(data.resolve("admin").resolve("trust.crt")));
            StringWriter progress = new StringWriter();
            FleetSimulator sim = new FleetSimulator(AdminClient.forDataDir(data), CloudConfig.fromEndpoints(data),
                    tmp.resolve("sim"), new PrintWriter(progress, true), false, null);
            CompletableFuture<FleetReport> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return sim.run(new FleetSimulator.Options(16, 1, Duration.ofSeconds(45), 0, 8, Duration.ofSeconds(2),
                            Duration.ofSeconds(20)));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> progress.toString().contains("connected:") || run.isDone());
            assertThat(run).as(progress::toString).isNotDone();

            Thread.sleep(12_000); // warm-up: the JIT, G1's heap sizing and the first rotations settle (a measurement wait, not synchronisation)
            List<Point> points = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                points.add(measure(server.pid()));
                if (i < 2) {
                    Thread.sleep(10_000);
                }
            }
            FleetReport rep = run.get(90, TimeUnit.SECONDS);
            System.out.println("SoakIT server (heap after GC KB, RSS KB): " + points);
            String why = "points " + points + "\nsimulator:\n" + progress;
            assertThat(rep.rotations.get()).as(why).isGreaterThan(16);
            assertThat(rep.churned.get() + rep.churnRevocations.get()).as(why).isGreaterThan(10);
            assertThat(keepsRising(points.stream().map(Point::heapKb).toList(), HEAP_MARGIN_KB)).as("heap after GC keeps rising: " + why).isFalse();
            assertThat(keepsRising(points.stream().map(Point::rssKb).toList(), RSS_MARGIN_KB)).as("RSS keeps rising: " + why).isFalse();
            // expired operational certificates went (15 s lifetime + 10 s retention + a 5 s prune tick, from the first rotations on)
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> server.output().contains("event=ca.pruned ca=operational"));
            assertThat(server.output()).as("no per-message INFO lines").doesNotContainPattern("(?m)INFO.*event=telemetry\\.");
        }
    }

    /** Rising at each step and by more than {@code margin} over all: growth, not noise. */
    static boolean keepsRising(List<Long> v, long margin) {
        for (int i = 1; i < v.size(); i++) {
            if (v.get(i) <= v.get(i - 1)) {
                return false;
            }
        }
        return v.get(v.size() - 1) - v.get(0) > margin;
    }

    private static Point measure(long pid) throws Exception {
        jcmd(pid, "GC.run");
        Matcher m = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
        assertThat(m.find()).isTrue();
        long rss = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("VmRSS:")).mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElseThrow();
        return new Point(Long.parseLong(m.group(1)), rss);
    }

    private static String jcmd(long pid, String command) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid), command)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
