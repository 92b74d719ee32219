package dev.imprint.server.lifecycle;

import dev.imprint.device.cli.DurationConverter;
import dev.imprint.device.cloud.CloudConfig;
import dev.imprint.server.cli.AdminClient;
import dev.imprint.server.up.Node;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code imprint demo}: the whole product in one command, narrated: a fresh data folder,
 * everything started in this process, a fleet made in the factory, registered, connected,
 * rotating its certificates, one device stolen and cut off. Exit 0 when everything happened as
 * it should, 1 otherwise (the summary says what did not).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
            header = "Run the whole device life cycle on a fresh data folder and explain each step (about 35 s).",
        description = {"Runs the whole device life cycle on a fresh data folder, in this process, and explains each step:",
                "factory -> DPS -> hub -> telemetry -> certificate rotation -> a stolen device revoked and cut off."})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", description = "A new (absent or empty) folder; default ./imprint-demo-<time>.")
    Path data;

    @Option(names = "--count", paramLabel = "N", defaultValue = "100", description = "Devices (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--duration", defaultValue = "20s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Telemetry this long: 20s, 2m, or plain seconds (default ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--lifetime", defaultValue = "15s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Lifetime of operational certificates, short so rotations happen during the demo: 15s, 2m, or plain seconds"
                    + " (default ${DEFAULT-VALUE}).")
    Duration lifetime;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (System.getenv("IMPRINT_LOG_LEVEL") == null) {
            // the narration is the output; the servers' INFO lines would drown it (IMPRINT_LOG_LEVEL brings them back)
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                    .setLevel(ch.qos.logback.classic.Level.WARN);
        }
        Path dir = (data != null ? data : Path.of("imprint-demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))))
                .toAbsolutePath().normalize();
        if (Files.isDirectory(dir)) {
            try (var s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    spec.commandLine().getErr().println("imprint demo: " + dir + " is not empty; the demo needs a fresh folder");
                    return 2;
                }
            }
        }
        int[] n = {0};
        FleetSimulator.Narrator say = text -> {
            out.println();
            out.println(wrap(++n[0] + ". " + text));
            out.flush();
        };
        long t0 = System.nanoTime();
        say.step("Starting Imprint in this process on the fresh data folder " + dir + ": the certificate authorities (root, manufacturing, "
                + "operational, service), EST, the admin API, the provisioning service (DPS) and two IoT hubs, hub-1 and hub-2. "
                + "Operational certificates live " + dev.imprint.pki.Durations.format(lifetime) + " here (30 days by default) so you can watch them rotate.");
        FleetReport rep;
        boolean refusedAgain;
        try (Node server = LocalImprint.start(dir, lifetime, Map.of())) {
            out.printf("   DPS %s (ID scope %s); hubs %s%n", server.endpoints().dps().get("https"), server.endpoints().dps().get("idScope"),
                    server.endpoints().hubs().stream().map(h -> h.name() + " " + h.mqtt()).toList());
            AdminClient admin = AdminClient.forDataDir(dir);
            CloudConfig cloud = CloudConfig.fromEndpoints(dir);
            FleetSimulator sim = new FleetSimulator(admin, cloud, dir.resolve("sim"), out, false, say);
            rep = sim.run(new FleetSimulator.Options(count, 1, duration, 1, 16));
            say.step(String.format("Rotation: every device renewed its certificate at two thirds of its lifetime over EST (simplereenroll), "
                    + "authenticated by its current certificate, with a new key each time, and reconnected without losing a queued "
                    + "message: %d rotations, %d messages sent, %d acknowledged by the hubs, %d lost.",
                    rep.rotations.get(), rep.sent.get(), rep.acked.get(), rep.lost.get() + rep.unacked));
            say.step(String.format("The stolen device: the hub ended its live session %s after the revocation; it then tried to come back "
                    + "through DPS with its factory certificate and was refused (%s).",
                    rep.cutOff.isEmpty() ? "(not observed)" : rep.maxCutOffMillis() + " ms", rep.errorCounts().containsKey("REVOKED") ? "REVOKED" : "no refusal seen"));
            refusedAgain = rep.refusedAfterRevocation.get() == rep.revoked;
            out.println();
            rep.print(out);
        }
        boolean ok = rep.provisioned == count && rep.connected.get() == count && rep.lost.get() == 0 && rep.unacked == 0
                && rep.rotations.get() > 0 && rep.cutOff.size() == rep.revoked && rep.maxCutOffMillis() <= 2000 && refusedAgain;
        out.println();
        out.println("Where to look next. The data folder " + dir + " keeps everything (imprint.db, pki/, the audit log).");
        out.println("Start it again, then try these (each runs as it is):");
        for (String command : nextCommands(dir, rep.sentByDevice.keySet().stream().sorted().findFirst().orElse("<device-id>"))) {
            out.println("  " + command);
        }
        out.printf("%ndemo %s in %.0f s%n", ok ? "completed" : "FAILED (see the summary)", (System.nanoTime() - t0) / 1e9);
        out.flush();
        return ok ? 0 : 1;
    }

    /** Commands to run after the demo, one a line, on its data folder; {@code device} is one of its devices. */
    static java.util.List<String> nextCommands(Path dir, String device) {
        String data = " --data " + dir;
        return java.util.List.of(
                "./imprint up" + data + " &",
                "./imprint console login" + data + "          # prints a link to the web console",
                "./imprint registration list" + data,
                "./imprint device show " + device + data,
                "./imprint telemetry --device " + device + data,
                "./imprint cert list --device " + device + data,
                "./imprint audit list" + data,
                "./imprint audit verify" + data,
                "./imprint device simulate --count 1000" + data + "   # your own fleet");
    }

    static String wrap(String text) {
        StringBuilder b = new StringBuilder();
        int col = 0;
        for (String w : text.split(" ")) {
            if (col + w.length() > 100 && col > 0) {
                b.append("\n   ");
                col = 3;
            }
            b.append(w).append(' ');
            col += w.length() + 1;
        }
        return b.toString().stripTrailing();
    }
}
