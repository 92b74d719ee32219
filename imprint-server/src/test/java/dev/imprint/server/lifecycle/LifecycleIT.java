package dev.imprint.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.device.cloud.CloudConfig;
import dev.imprint.server.cli.AdminClient;
import dev.imprint.server.up.Node;
import dev.imprint.store.TelemetryRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The life cycle end to end, everything real and in this process: 200 devices through the
 * factory, DPS and a hub, telemetry throughout, operational certificates living 20 s (so every
 * device rotates at least twice), 5 devices revoked half-way.
 */
class LifecycleIT {
    private static final java.util.regex.Pattern SEQ = java.util.regex.Pattern.compile("\"seq\":(\\d+)");

    @Test
    @Timeout(170)
    void fleet_rotates_twice_revoked_devices_are_cut_off_and_no_telemetry_is_lost(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        StringWriter log = new StringWriter();
        PrintWriter out = new PrintWriter(log, true);
        try (Node server = LocalImprint.start(data, Duration.ofSeconds(20), Map.of("IMPRINT_CA_PASSPHRASE", "test-passphrase-not-secret"))) {
            FleetReport rep = new FleetSimulator(AdminClient.forDataDir(data), CloudConfig.fromEndpoints(data), tmp.resolve("sim"), out, false, null)
                    .run(new FleetSimulator.Options(200, 1, Duration.ofSeconds(45), 5, 16));
            rep.print(out);
            System.out.println(log);

            assertThat(rep.provisioned).isEqualTo(200);
            assertThat(rep.connected.get()).isEqualTo(200);
            assertThat(rep.perHub.keySet()).hasSize(2);
            // every live device rotated at least twice over EST (a device whose certificate expired
            // first, on a loaded machine, came back through DPS with its factory certificate: allowed)
            assertThat(rep.rotationsByDevice).hasSize(195);
            assertThat(rep.minRotations()).isGreaterThanOrEqualTo(2);
            // revoked: all five cut off within 2 s, and refused by DPS when they tried to come back
            assertThat(rep.cutOff).hasSize(5);
            assertThat(rep.maxCutOffMillis()).isLessThanOrEqualTo(2000);
            assertThat(rep.revokedEndedWith.values()).containsOnly("FAILED REVOKED");
            // no telemetry of a live device lost: acknowledged by the device side, and stored by the hubs
            assertThat(rep.lost.get()).isZero();
            assertThat(rep.unacked).isZero();
            long deadline = System.nanoTime() + 15_000_000_000L;
            Map<String, Long> missing = missing(server, rep);
            while (!missing.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(200);
                missing = missing(server, rep);
            }
            assertThat(missing).as("devices whose stored telemetry misses messages (device -> missing count)").isEmpty();
        }
    }

    private static Map<String, Long> missing(Node server, FleetReport rep) {
        Map<String, Long> out = new java.util.TreeMap<>();
        rep.sentByDevice.forEach((id, sent) -> {
            Set<String> seqs = new HashSet<>();
            for (TelemetryRecord r : server.store().telemetry().recent(id, (int) (sent * 3 + 10))) {
                java.util.regex.Matcher m = SEQ.matcher(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
                if (m.find()) {
                    seqs.add(m.group(1));
                }
            }
            if (seqs.size() < sent) {
                out.put(id, sent - seqs.size());
            }
        });
        return out;
    }
}
