package dev.imprint.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code imprint hub add|list|remove}: the IoT hubs the DPS allocates devices to (subcommands of {@link HubCommand}). */
final class HubAdminCommands {
    private HubAdminCommands() {
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add (or update) a hub.")
    static final class Add implements Callable<Integer> {
        @Mixin DataOption data;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "NAME") String name;
        @Option(names = "--hostname", required = true, description = "Host name devices connect to (needs a dot for the Azure SDK).") String hostname;
        @Option(names = "--mqtt", description = "MQTT endpoint (default mqtts://HOSTNAME:8883).") String mqtt;
        @Option(names = "--region", description = "Region label for region allocation.") String region;
        @Option(names = "--weight", defaultValue = "100", description = "Share of hashed allocation, 1-1000 (default ${DEFAULT-VALUE}).") int weight;

        @Override
        public Integer call() {
            ObjectNode b = EnrollmentCommand.JSON.createObjectNode().put("name", name).put("hostname", hostname)
                    .put("mqtt", mqtt == null ? "mqtts://" + hostname + ":8883" : mqtt).put("region", region).put("weight", weight);
            AdminClient.forDataDir(data.dir()).post("/hubs", b);
            spec.commandLine().getOut().printf("hub %s (%s, weight %d) saved%n", name, hostname, weight);
            spec.commandLine().getOut().flush();
            return ImprintCommand.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List hubs.")
    static final class ListHubs implements Callable<Integer> {
        @Mixin DataOption data;
        @Spec CommandSpec spec;
        @Option(names = "--json", description = "Print JSON instead of a table.") boolean json;

        @Override
        public Integer call() {
            JsonNode list = AdminClient.forDataDir(data.dir()).get("/hubs");
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
        @Mixin DataOption data;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() {
            AdminClient.forDataDir(data.dir()).post("/hubs/" + UrlPath.segment(name) + "/remove", EnrollmentCommand.JSON.createObjectNode());
            spec.commandLine().getOut().printf("hub %s removed%n", name);
            spec.commandLine().getOut().flush();
            return ImprintCommand.OK;
        }
    }
}
