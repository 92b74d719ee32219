package dev.imprint.server.lifecycle;

import dev.imprint.device.cli.DurationConverter;
import dev.imprint.device.cloud.CloudConfig;
import dev.imprint.server.cli.AdminClient;
import dev.imprint.server.cli.DataOption;
import dev.imprint.server.up.Node;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code imprint device simulate}: N simulated devices through the whole life cycle against the
 * running server of a data folder (or, with {@code --in-process}, against one started here), with
 * progress and a final summary. Exit 0 when every device connected and no telemetry of a live
 * device was lost; 1 otherwise; 3 when no server runs there.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {"Simulate a fleet through the whole life cycle, with progress and a summary.",
                "Factory (a new station), DPS, hub, telemetry, certificate rotation, revocation of some devices half-way."})
public final class SimulateCommand implements Callable<Integer> {
    @Mixin
    DataOption data;

    @Spec
    CommandSpec spec;

    @Option(names = "--count", paramLabel = "N", required = true, description = "Devices.")
    int count;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "1", description = "Telemetry messages per second per device (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--duration", defaultValue = "30s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Telemetry once connected, this long: 60s, 30m, 24h, or plain seconds (default ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--revoke", defaultValue = "0", paramLabel = "K", description = "Devices to revoke half-way (default ${DEFAULT-VALUE}).")
    int revoke;

    @Option(names = "--lifetime", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Operational certificate lifetime: 30s, 15m, 30d, or plain seconds; applies with --in-process"
                    + " (a running server uses its own ca.operationalValidityDays, which takes the same forms).")
    Duration lifetime;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "16", description = "Factory conversations in flight; registrations in flight are 16 times that (default ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--in-process", description = "Start CA, DPS and hubs in this process on the data folder (free ports) instead of using a running server.")
    boolean inProcess;

    @Option(names = "--churn", defaultValue = "0", paramLabel = "DURATION", converter = DurationConverter.class,
            description = {"Soak runs: every this long (e.g. 10s) one device in turn drops and reconnects, goes away for --park"
                    + " and comes back, or has its operational certificate revoked and registers again (default 0: none)."})
    Duration churn;

    @Option(names = "--park", defaultValue = "90s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long a churned device stays away; longer than the certificate lifetime makes it register again"
                    + " (default ${DEFAULT-VALUE}).")
    Duration park;

    @Option(names = "--plain", description = "Plain progress lines even on a terminal.")
    boolean plain;

    @Option(names = "--dps-transport", defaultValue = "https", paramLabel = "https|mqtt",
            description = "How the devices register with DPS (default ${DEFAULT-VALUE}).")
    String dpsTransport;

    @Option(names = "--dialect", defaultValue = "azure", paramLabel = "azure|aws",
            description = {"The cloud protocol the devices speak (default ${DEFAULT-VALUE}). azure: DPS, the hubs, EST rotation.",
                    "aws: fleet provisioning by claim (the factory certificate, create-from-csr, RegisterThing) on the AWS endpoint"
                            + " (endpoints.json aws.mqtt), telemetry on dt/<thing>/telemetry, the shadow, rotation by create-from-csr."})
    String dialect;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (count <= 0 || rate < 0 || duration.isNegative() || lifetime != null && lifetime.getSeconds() < 10 || revoke < 0 || revoke > count || parallel <= 0) {
            spec.commandLine().getErr().println("imprint device simulate: --count > 0, 0 <= --revoke <= --count, --parallel > 0, --lifetime >= 10s");
            return 2;
        }
        boolean terminal = !plain && System.console() != null;
        FleetSimulator.Options o = new FleetSimulator.Options(count, rate, duration, revoke, parallel, churn, park);
        FleetReport rep;
        if (inProcess) {
            try (Node server = LocalImprint.start(data.dir(), lifetime == null ? Duration.ofHours(1) : lifetime, Map.of())) {
                out.printf("Imprint started in this process on %s%n", data.dir());
                rep = run(out, terminal, o);
            }
        } else {
            if (lifetime != null) {
                out.println("note: --lifetime applies with --in-process; the running server issues certificates for its own"
                        + " ca.operationalValidityDays");
            }
            rep = run(out, terminal, o);
        }
        rep.print(out);
        return rep.connected.get() == rep.provisioned && rep.provisioned == count && rep.lost.get() == 0 && rep.unacked == 0 ? 0 : 1;
    }

    private FleetReport run(PrintWriter out, boolean terminal, FleetSimulator.Options o) throws InterruptedException {
        CloudConfig cloud;
        try {
            cloud = CloudConfig.fromEndpoints(data.dir());
        } catch (IOException e) {
            throw new dev.imprint.server.cli.CliException(3, "no running server with DPS at " + data.dir() + " (" + e.getMessage()
                    + "); start 'imprint up --data " + data.dir() + "' or use --in-process");
        }
        try {
            cloud = cloud.withDpsTransport(dev.imprint.device.cloud.DpsTransport.parse(dpsTransport));
        } catch (IllegalArgumentException e) {
            throw new dev.imprint.server.cli.CliException(2, "--dps-transport: " + e.getMessage());
        }
        SimDialect speaks;
        try {
            speaks = SimDialect.of(dialect, data.dir(), cloud);
        } catch (IllegalArgumentException e) {
            throw new dev.imprint.server.cli.CliException(2, "--dialect: " + e.getMessage());
        } catch (IOException e) {
            throw new dev.imprint.server.cli.CliException(3, e.getMessage());
        }
        return new FleetSimulator(AdminClient.forDataDir(data.dir()), cloud, data.dir().resolve("sim"), out, terminal, null).speaking(speaks).run(o);
    }
}
