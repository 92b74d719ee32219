package dev.imprint.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.device.cloud.CloudConfig;
import dev.imprint.server.cli.AdminClient;
import dev.imprint.server.up.Node;
import dev.imprint.store.DeviceRecord;
import dev.imprint.store.TelemetryRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The life cycle end to end, everything real and in this process: 200 devices through the
 * factory, DPS and a hub, telemetry throughout, operational certificates living 20 s (so every
 * device rotates at least twice), 5 devices revoked half-way. And a fleet in the AWS dialect
 * through {@code imprint device simulate --dialect aws --churn 4500ms}: fleet provisioning by claim, telemetry, churn,
 * the shadow, rotation by create-from-csr, revocation.
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

    @Test
    @Timeout(120)
    void aws_dialect_fleet_provisions_by_claim_reports_to_its_shadow_rotates_keeping_the_thing_and_is_cut_off_when_revoked(
            @TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        // certificates living 15 s: every device renews once by create-from-csr within the 20 s of telemetry. Churn every 4.5 s
        // (devices 0..3 in turn, never the stolen one, the last): one drops and reconnects at once (4.5 s), one goes away for
        // 1 s and comes back with its stored certificate (9 s), one has its operational certificate revoked under it and
        // provisions again by claim with its factory certificate (13.5 s: well after its renewal at ~10 s, so the revoked
        // certificate is the one it holds), one drops and reconnects (18 s)
        try (Node server = LocalImprint.start(data, Duration.ofSeconds(15), Map.of("IMPRINT_CA_PASSPHRASE", "test-passphrase-not-secret",
                "IMPRINT_AWS_ADDRESS", "127.0.18.1", "IMPRINT_AWS_PORT", Integer.toString(LocalImprint.freePort("127.0.18.1"))))) {
            java.util.concurrent.CompletableFuture<DeviceCliIT.Run> simulation = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> DeviceCliIT.cli("device", "simulate", "--dialect", "aws", "--count", "8", "--rate", "2", "--duration", "20s",
                            "--revoke", "1", "--churn", "4500ms", "--park", "1s", "--plain", "--data", data.toString()));
            // the back end sets desired state on a thing once it reported to its shadow: the device gets the delta
            String[] reporting = new String[1];
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> server.store().deviceRegistry().search("sim-", 100)
                    .stream().map(DeviceRecord::deviceId)
                    .filter(id -> server.store().twins().get(id).reported().contains("sim-1.0"))
                    .peek(id -> reporting[0] = id).findFirst().isPresent());
            DeviceCliIT.Run desired = DeviceCliIT.cli("shadow", "update", "--device", reporting[0], "--desired", "{\"led\":\"on\"}",
                    "--data", data.toString());
            assertThat(desired.code()).as(desired.out()).isZero();
            DeviceCliIT.Run run = simulation.get(100, java.util.concurrent.TimeUnit.SECONDS);
            System.out.println(run.out());
            // every device provisioned, connected, its telemetry acknowledged (exit 0: none lost, none left queued)
            assertThat(run.code()).as(run.out()).isZero();
            assertThat(run.out()).contains("provisioned          8 ").contains("connected            8 ").contains("per hub: 127.0.18.1: 8")
                    .contains("reported-state updates accepted").contains("create-from-csr on the operational certificate");
            assertThat(number(run.out(), "shadow +(\\d+) reported-state")).isEqualTo(8);
            assertThat(number(run.out(), "at least (\\d+) per live device")).isGreaterThanOrEqualTo(1);
            assertThat(number(run.out(), "(\\d+) desired changes handed to devices")).isGreaterThanOrEqualTo(1);
            // the revoked one: its session cut within 2 s, refused (REVOKED) when it came back with its factory certificate
            assertThat(run.out()).containsPattern("revoked +1, cut off 1 \\(slowest \\d+ ms\\), refused when they came back 1 \\(FAILED REVOKED\\)");
            assertThat(number(run.out(), "slowest (\\d+) ms")).isLessThanOrEqualTo(2000);
            // churn with the AWS dialect: the devices that went away came back, the one whose certificate was revoked
            // provisioned again (a registration more than the fleet) and, like every live device, lost nothing (exit 0 above)
            assertThat(number(run.out(), "churn +(\\d+) went away and came back")).isGreaterThanOrEqualTo(2);
            assertThat(number(run.out(), "(\\d+) operational certificates revoked \\(re-registered\\)")).isEqualTo(1);
            assertThat(number(run.out(), "registered +(\\d+) registrations")).isGreaterThanOrEqualTo(9);

            List<DeviceRecord> things = server.store().deviceRegistry().search("sim-", 100);
            assertThat(things).hasSize(8).allSatisfy(d -> assertThat(d.enrollment()).isEqualTo("default"));
            for (DeviceRecord d : things) {
                // telemetry where every device's lands, from its own dt/ topic, the application property carried
                List<TelemetryRecord> t = server.store().telemetry().recent(d.deviceId(), 100);
                assertThat(t).isNotEmpty().allSatisfy(r -> assertThat(r.properties()).contains("dt/" + d.deviceId() + "/telemetry").contains("seq"));
            }
            // rotation kept the thing: factory, provisioned and renewed certificates are all the same device's (the revoked
            // one may have been revoked before its renewal)
            assertThat(things.stream().filter(d -> server.store().certificates().findByDevice(d.deviceId()).size() >= 3).count())
                    .isGreaterThanOrEqualTo(7);
            DeviceRecord one = things.get(0);
            DeviceCliIT.Run shadow = DeviceCliIT.cli("shadow", "get", "--device", one.deviceId(), "--data", data.toString());
            assertThat(shadow.out()).contains("\"firmware\"").contains("sim-1.0");
        }
    }

    private static long number(String text, String regex) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as(regex + " in " + text).isTrue();
        return Long.parseLong(m.group(1));
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
