package dev.imprint.server.cli;

import dev.imprint.server.config.ConfigException;
import dev.imprint.server.config.ConfigLoader;
import dev.imprint.server.config.ImprintConfig;
import dev.imprint.server.hub.HubRole;
import dev.imprint.store.JdbcStore;
import dev.imprint.store.Store;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code imprint hub --name NAME}: runs one hub alone, on the store of a data folder that
 * {@code imprint up} initialised (its credential and the CA certificates are read from there;
 * revocations and disabled devices reach it through the store within 2 s).
 */
@Command(name = "hub", mixinStandardHelpOptions = true,
        subcommands = {HubAdminCommands.Add.class, HubAdminCommands.ListHubs.class, HubAdminCommands.Remove.class},
        description = {"Run one IoT hub alone (MQTT over mutual TLS) on the data folder's store (--name),",
                "or manage the hubs DPS allocates devices to (add, list, remove).",
                "Hubs are configured with IMPRINT_HUBS=name=address:port,... (default " + HubRole.DEFAULT_HUBS + ")."})
public final class HubCommand implements Callable<Integer> {
    @Mixin
    DataOption data;

    @Spec
    CommandSpec spec;

    @Option(names = "--name", paramLabel = "NAME", description = "The hub to run (e.g. hub-1).")
    String name;

    @Override
    public Integer call() throws Exception {
        if (name == null) {
            spec.commandLine().usage(spec.commandLine().getOut());
            return ImprintCommand.USAGE;
        }
        ImprintConfig config;
        try {
            config = ConfigLoader.load(data.dir(), System.getenv());
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("imprint hub: " + e.getMessage());
            return ImprintCommand.USAGE;
        }
        Store store = config.store().url() == null
                ? JdbcStore.sqlite(config.dataDir().resolve("imprint.db"))
                : JdbcStore.open(config.store().url(), config.store().user(), config.store().password());
        HubRole role;
        try {
            role = HubRole.startOne(config.dataDir(), System.getenv(), store, name, new SimpleMeterRegistry());
        } catch (java.io.IOException e) {
            store.close();
            throw new CliException(ImprintCommand.FAILED, "cannot start hub " + name + ": " + e.getMessage()
                    + " (run 'imprint up --data " + data.dir() + "' once first)");
        } catch (RuntimeException e) {
            store.close();
            throw new CliException(ImprintCommand.FAILED, "cannot start hub " + name + ": " + e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            role.close();
            store.close();
            stopped.countDown();
        }, "imprint-hub-shutdown"));
        Signals.exitZeroOn("TERM", "INT");
        PrintWriter out = spec.commandLine().getOut();
        var h = role.hubs().get(0);
        out.printf("hub %s is up: mqtts://%s:%d (TLS engine %s)%n", h.name(), h.settings().bindAddress(), h.settings().port(), h.engine());
        out.flush();
        stopped.await();
        return ImprintCommand.OK;
    }
}
