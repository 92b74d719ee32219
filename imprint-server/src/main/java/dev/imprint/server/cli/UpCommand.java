package dev.imprint.server.cli;

import dev.imprint.server.config.ConfigException;
import dev.imprint.server.config.ConfigLoader;
import dev.imprint.server.config.ImprintConfig;
import dev.imprint.server.up.Endpoints;
import dev.imprint.server.up.Node;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code imprint up}: initialises the data folder on first run, then serves until SIGTERM or Ctrl-C. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Run Imprint (CA, PKI repository, EST, admin API, console, DPS, hubs) in one process on the data folder.",
                "The first run creates the CA hierarchy, the server certificate and the admin credential (<data>/admin/);",
                "later runs reuse them. Writes <data>/endpoints.json. Stops cleanly on SIGTERM or Ctrl-C (exit 0).",
                "With --node (cluster.node) this process is one node of a cluster on PostgreSQL (store.url) and runs only --roles;",
                "'imprint cluster up' starts a whole cluster on this machine."})
public final class UpCommand implements Callable<Integer> {
    @Mixin
    DataOption data;

    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Option(names = "--node", paramLabel = "NAME",
            description = "Run as this node of a cluster (needs store.url on PostgreSQL); overrides cluster.node / IMPRINT_CLUSTER_NODE.")
    String node;

    @picocli.CommandLine.Option(names = "--roles", paramLabel = "ROLES",
            description = "What this node runs: all, or a comma list of ca, admin, dps, hub:NAME (default: cluster.roles, else all).")
    String roles;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ImprintConfig config;
        try {
            java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
            if (node != null) {
                env.put(dev.imprint.server.config.ConfigKey.CLUSTER_NODE.env(), node);
            }
            if (roles != null) {
                env.put(dev.imprint.server.config.ConfigKey.CLUSTER_ROLES.env(), roles);
            }
            config = ConfigLoader.load(data.dir(), env);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("imprint up: " + e.getMessage());
            return ImprintCommand.USAGE;
        }
        Node server;
        try {
            server = Node.start(config, System.getenv());
        } catch (java.net.BindException e) {
            throw new CliException(ImprintCommand.FAILED, "cannot listen: " + e.getMessage()
                    + " (another imprint up running? change the ports with IMPRINT_PKI_PORT / IMPRINT_HTTPS_PORT)");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "imprint-shutdown"));
        Signals.exitZeroOn("TERM", "INT");
        Endpoints e = server.endpoints();
        if (config.cluster().clustered()) {
            out.printf("Imprint node %s is up (roles %s, data %s)%n", config.cluster().node(),
                    String.join(",", config.cluster().roles().names(config.hubs().stream().map(ImprintConfig.Hub::name).toList())), config.dataDir());
        }
        if (e == null) {
            out.flush();
            stopped.await();
            return ImprintCommand.OK;
        }
        out.printf("Imprint is up (data %s, TLS engine %s)%n", config.dataDir(), server.tlsEngine());
        out.printf("  pki      %s%n  est      %s%n  admin    %s%n  console  %s%n  trust    %s%n", e.pki(), e.est(), e.admin(), e.console(), e.trust());
        if (e.dps() != null) {
            out.printf("  dps      %s  %s  idScope %s%n", e.dps().get("https"), e.dps().getOrDefault("mqtt", ""), e.dps().get("idScope"));
        }
        if (e.hubs() != null) {
            for (Endpoints.Hub h : e.hubs()) {
                out.printf("  hub      %-8s %s%n", h.name(), h.mqtt());
            }
        }
        if (e.aws() != null) {
            out.printf("  aws      %s  template %s%n", e.aws().get("mqtt"), e.aws().get("template"));
        }
        out.printf("  written to %s%n", config.dataDir().resolve(Endpoints.FILE));
        out.flush();
        stopped.await();
        return ImprintCommand.OK;
    }
}
