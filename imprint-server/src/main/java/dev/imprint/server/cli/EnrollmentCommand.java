package dev.imprint.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.device.cli.DurationConverter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code imprint enrollment list|add|enable|disable|remove}: DPS enrollments. */
@Command(name = "enrollment", mixinStandardHelpOptions = true,
        description = "Manage DPS enrollments (which devices may register, and how they are allocated to hubs).",
        subcommands = {EnrollmentCommand.ListEnrollments.class, EnrollmentCommand.Add.class, EnrollmentCommand.Action.Enable.class,
                EnrollmentCommand.Action.Disable.class, EnrollmentCommand.Action.Remove.class})
public final class EnrollmentCommand implements Runnable {
    static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List enrollments.")
    static final class ListEnrollments implements Callable<Integer> {
        @Mixin ClientOptions data;
        @Spec CommandSpec spec;
        @Option(names = "--json", description = "Print JSON instead of a table.") boolean json;

        @Override
        public Integer call() {
            JsonNode list = data.client().get("/enrollments");
            PrintWriter w = spec.commandLine().getOut();
            if (json) {
                w.println(list.toPrettyString());
            } else {
                w.printf("%-20s %-10s %-8s %-9s %-22s %-16s %s%n", "NAME", "KIND", "STATE", "POLICY", "REPROVISION", "HUBS", "MATCHES");
                for (JsonNode e : list) {
                    String matches = e.path("kind").asText().equals("individual") ? e.path("deviceId").asText()
                            : e.path("ca").asText() + (e.path("idPattern").isNull() ? "" : " ids " + e.path("idPattern").asText());
                    w.printf("%-20s %-10s %-8s %-9s %-22s %-16s %s%n", e.path("name").asText(), e.path("kind").asText(),
                            e.path("enabled").asBoolean() ? "enabled" : "disabled", e.path("allocation").asText(),
                            e.path("reprovision").asText(), e.path("hubs").isEmpty() ? "(all)" : String.join(",",
                                    JSON.convertValue(e.path("hubs"), String[].class)), matches);
                }
            }
            w.flush();
            return ImprintCommand.OK;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            header = "Add (or replace) an enrollment: which devices may register, and how they are allocated to hubs.",
            description = {"Add (or replace) an enrollment. Group: --ca (a CA name such as manufacturing, or a PEM file) and",
                    "optionally --ids; individual: --device. Allocation: hashed (default), static (--static-hub), region, webhook (--webhook)."})
    static final class Add implements Callable<Integer> {
        @Mixin ClientOptions data;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "NAME") String name;
        @Option(names = "--ca", paramLabel = "NAME|FILE", description = "Group: the CA devices chain to (manufacturing, operational, or a PEM file).") String ca;
        @Option(names = "--ids", paramLabel = "REGEX", description = "Group: registration IDs must match this in full.") String ids;
        @Option(names = "--device", paramLabel = "ID", description = "Individual enrollment for this registration ID.") String device;
        @Option(names = "--allocation", paramLabel = "POLICY", defaultValue = "hashed", description = "hashed, static, region or webhook (default ${DEFAULT-VALUE}).") String allocation;
        @Option(names = "--static-hub", paramLabel = "HUB", description = "Static allocation: the hub.") String staticHub;
        @Option(names = "--webhook", paramLabel = "URL", description = "Webhook allocation: the URL to POST to.") String webhook;
        @Option(names = "--webhook-timeout-ms", defaultValue = "5000", paramLabel = "DURATION", converter = DurationConverter.PlainMillis.class,
                description = "Webhook allocation: how long to wait for the answer: 5s, 1500ms, or plain milliseconds (default ${DEFAULT-VALUE}).")
        Duration webhookTimeout;
        @Option(names = "--webhook-fallback", defaultValue = "refuse", paramLabel = "POLICY", description = "refuse, hashed, static or region.") String fallback;
        @Option(names = "--hubs", split = ",", paramLabel = "HUB", description = "Hubs to choose from (default: all).") List<String> hubs;
        @Option(names = "--tags", paramLabel = "JSON", description = "Initial twin tags.") String tags;
        @Option(names = "--desired", paramLabel = "JSON", description = "Initial desired properties.") String desired;
        @Option(names = "--reprovision", paramLabel = "POLICY", defaultValue = "reprovisionAndMigrate",
                description = "reprovisionAndMigrate, reprovisionAndReset or never (default ${DEFAULT-VALUE}).") String reprovision;
        @Option(names = "--disabled", description = "Create it disabled.") boolean disabled;
        @Option(names = "--aws-publish", paramLabel = "FILTER", description = "AWS endpoint: an extra MQTT filter its devices may publish "
                + "telemetry on, beyond dt/<thing>/# and things/<thing>/#; $${thing} stands for the device's name, e.g. 'factory/$${thing}/#'. Repeatable.")
        List<String> awsPublish;
        @Option(names = "--aws-subscribe", paramLabel = "FILTER", description = "AWS endpoint: an extra MQTT filter its devices may subscribe within. Repeatable.")
        List<String> awsSubscribe;

        @Override
        public Integer call() throws IOException {
            ObjectNode b = JSON.createObjectNode();
            b.put("name", name);
            b.put("kind", device != null ? "individual" : "group");
            if (ca != null) {
                b.put("ca", Files.exists(Path.of(ca)) ? Files.readString(Path.of(ca)) : ca);
            }
            b.put("idPattern", ids);
            b.put("deviceId", device);
            b.put("allocation", allocation);
            ObjectNode settings = b.putObject("allocationSettings");
            if (staticHub != null) {
                settings.put("hub", staticHub);
            }
            if (webhook != null) {
                settings.put("url", webhook).put("timeoutMs", webhookTimeout.toMillis()).put("fallback", fallback);
            }
            b.set("hubs", JSON.valueToTree(hubs == null ? List.of() : hubs));
            b.set("tags", tags == null ? JSON.createObjectNode() : JSON.readTree(tags));
            b.set("desired", desired == null ? JSON.createObjectNode() : JSON.readTree(desired));
            b.put("reprovision", reprovision);
            b.put("enabled", !disabled);
            if (awsPublish != null || awsSubscribe != null) {
                ObjectNode aws = b.putObject("awsPolicy");
                aws.set("publish", JSON.valueToTree(awsPublish == null ? List.of() : awsPublish));
                aws.set("subscribe", JSON.valueToTree(awsSubscribe == null ? List.of() : awsSubscribe));
            }
            JsonNode e = data.client().post("/enrollments", b);
            spec.commandLine().getOut().printf("enrollment %s (%s, %s allocation) saved%n", e.path("name").asText(),
                    e.path("kind").asText(), e.path("allocation").asText());
            spec.commandLine().getOut().flush();
            return ImprintCommand.OK;
        }
    }

    /** enable / disable / remove. */
    abstract static class Action implements Callable<Integer> {
        @Mixin ClientOptions data;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "NAME") String name;

        abstract String action();

        @Override
        public Integer call() {
            data.client().post("/enrollments/" + UrlPath.segment(name) + "/" + action(), JSON.createObjectNode());
            spec.commandLine().getOut().printf("enrollment %s: %s%n", name, action() + (action().endsWith("e") ? "d" : "ed"));
            spec.commandLine().getOut().flush();
            return ImprintCommand.OK;
        }

        @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable an enrollment.")
        static final class Enable extends Action {
            @Override
            String action() {
                return "enable";
            }
        }

        @Command(name = "disable", mixinStandardHelpOptions = true, description = "Disable an enrollment: its devices are answered 'disabled'.")
        static final class Disable extends Action {
            @Override
            String action() {
                return "disable";
            }
        }

        @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove an enrollment.")
        static final class Remove extends Action {
            @Override
            String action() {
                return "remove";
            }
        }
    }
}
