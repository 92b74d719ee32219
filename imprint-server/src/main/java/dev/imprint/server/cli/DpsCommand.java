package dev.imprint.server.cli;

import dev.imprint.ca.Authority;
import dev.imprint.dps.ProvisioningService;
import dev.imprint.server.config.ConfigException;
import dev.imprint.server.config.ConfigLoader;
import dev.imprint.server.config.ImprintConfig;
import dev.imprint.server.up.DpsRole;
import dev.imprint.store.Store;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code imprint dps}: the provisioning service alone on the data folder (its store and CA),
 * without the EST and admin endpoints; manage enrollments and hubs through a running
 * {@code imprint up}, or share a PostgreSQL store with it.
 */
@Command(name = "dps", mixinStandardHelpOptions = true,
        description = {"Run the device provisioning service alone (Azure DPS protocol over HTTPS and MQTT).",
                "Settings: the dps section of <data>/imprint.yaml (dps.https.address, dps.https.port, dps.mqtt.address, dps.mqtt.port,",
                "dps.idScope, dps.rate, dps.deviceRate), each overridden by its IMPRINT_DPS_* variable; 'imprint up --help' lists them."})
public final class DpsCommand implements Callable<Integer> {
    @Mixin
    DataOption data;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, String> env = System.getenv();
        ImprintConfig config;
        try {
            config = ConfigLoader.load(data.dir(), env);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("imprint dps: " + e.getMessage());
            return ImprintCommand.USAGE;
        }
        Store store = config.openStore();
        Authority authority = Authority.open(dev.imprint.server.up.Node.caSettings(config, env, null), store);
        ProvisioningService dps;
        try {
            dps = DpsRole.start(config, authority, store);
        } catch (RuntimeException e) {
            authority.close();
            store.close();
            throw new CliException(ImprintCommand.FAILED, "cannot start the provisioning service: " + e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dps.close();
            authority.close();
            store.close();
            stopped.countDown();
        }, "imprint-dps-shutdown"));
        Signals.exitZeroOn("TERM", "INT");
        Map<String, String> e = DpsRole.endpoints(config, dps);
        out.printf("Imprint DPS is up (data %s, TLS engine %s)%n  https    %s%n  mqtt     %s%n  idScope  %s%n", config.dataDir(),
                dps.tlsEngine(), e.get("https"), e.getOrDefault("mqtt", "off"), e.get("idScope"));
        out.flush();
        stopped.await();
        return ImprintCommand.OK;
    }
}
