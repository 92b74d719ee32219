package dev.imprint.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.server.config.ConfigException;
import dev.imprint.server.config.ConfigLoader;
import dev.imprint.server.config.ImprintConfig;
import dev.imprint.server.hub.HubRole;
import dev.imprint.store.Store;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code imprint hub}: {@code imprint hub --name NAME} runs one hub alone on the store of a data
 * folder that {@code imprint up} initialised (revocations and disabled devices reach it through
 * the store within 2 s); {@code imprint hub add|list|remove} manage the hubs the DPS allocates
 * devices to.
 */
@Command(name = "hub", mixinStandardHelpOptions = true,
        description = {"Run one IoT hub alone (--name), or manage the hubs devices are allocated to.",
                "The hubs (and their limits and sinks) come from the hubs list and hub section of <data>/imprint.yaml,",
                "or IMPRINT_HUBS=name=address:port,... and IMPRINT_HUB_*; 'imprint up --help' lists every key."},
        subcommands = {HubCommand.Add.class, HubCommand.ListHubs.class, HubCommand.Remove.class})
public final class HubCommand implements Callable<Integer> {
    @Mixin
    DataOption data;

    @Spec
    CommandSpec spec;

    @Option(names = "--name", paramLabel = "NAME", description = "Run this hub (e.g. hub-1) in this process.")
    String name;

    @Override
    public Integer call() throws Exception {
        if (name == null) {
            spec.commandLine().usage(spec.commandLine().getOut());
            return ImprintCommand.OK;
        }
        ImprintConfig config;
        try {
            config = ConfigLoader.load(data.dir(), System.getenv());
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("imprint hub: " + e.getMessage());
            return ImprintCommand.USAGE;
        }
        Store store = config.openStore();
        HubRole role;
        try {
            role = HubRole.startOne(config, store, name, new SimpleMeterRegistry());
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

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add (or update) a hub.")
    static final class Add implements Callable<Integer> {
        @Mixin ClientOptions data;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "NAME") String name;
        @Option(names = "--hostname", paramLabel = "HOST", required = true, description = "Host name devices connect to (needs a dot for the Azure SDK).") String hostname;
        @Option(names = "--mqtt", paramLabel = "URL", description = "MQTT endpoint (default mqtts://HOSTNAME:8883).") String mqtt;
        @Option(names = "--region", paramLabel = "REGION", description = "Region label for region allocation.") String region;
        @Option(names = "--weight", paramLabel = "N", defaultValue = "100", description = "Share of hashed allocation, 1-1000 (default ${DEFAULT-VALUE}).") int weight;

        @Override
        public Integer call() {
            ObjectNode b = EnrollmentCommand.JSON.createObjectNode().put("name", name).put("hostname", hostname)
                    .put("mqtt", mqtt == null ? "mqtts://" + hostname + ":8883" : mqtt).put("region", region).put("weight", weight);
            data.client().post("/hubs", b);
            spec.commandLine().getOut().printf("hub %s (%s, weight %d) saved%n", name, hostname, weight);
            spec.commandLine().getOut().flush();
            return ImprintCommand.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List hubs.")
    static final class ListHubs implements Callable<Integer> {
        @Mixin ClientOptions data;
        @Spec CommandSpec spec;
        @Option(names = "--json", description = "Print JSON instead of a table.") boolean json;

        @Override
        public Integer call() {
            JsonNode list = data.client().get("/hubs");
            PrintWriter w = spec.commandLine().getOut();
            if (json) {
                w.println(list.toPrettyString());
            } else {
                w.printf("%-16s %-20s %-30s %-10s %s%n", "NAME", "HOSTNAME", "MQTT", "REGION", "WEIGHT");
                for (JsonNode h : list) {
                    w.printf("%-16s %-20s %-30s %-10s %d%n", h.path("name").asText(), h.path("hostname").asText(),
                            h.path("mqtt").asText(), h.path("region").asText("-"), h.path("weight").asInt());
                }
            }
            w.flush();
            return ImprintCommand.OK;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a hub (its devices move when they register again).")
    static final class Remove implements Callable<Integer> {
        @Mixin ClientOptions data;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() {
            data.client().post("/hubs/" + UrlPath.segment(name) + "/remove", EnrollmentCommand.JSON.createObjectNode());
            spec.commandLine().getOut().printf("hub %s removed%n", name);
            spec.commandLine().getOut().flush();
            return ImprintCommand.OK;
        }
    }
}
