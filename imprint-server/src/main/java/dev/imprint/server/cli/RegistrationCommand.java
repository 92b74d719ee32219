package dev.imprint.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code imprint registration list}: DPS registration history, newest first. */
@Command(name = "registration", mixinStandardHelpOptions = true, description = "DPS registration records.",
        subcommands = {RegistrationCommand.ListRegistrations.class})
public final class RegistrationCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List registration attempts (accepted and refused), newest first.")
    static final class ListRegistrations implements Callable<Integer> {
        @Mixin ClientOptions data;
        @Spec CommandSpec spec;
        @Option(names = "--device", paramLabel = "ID", description = "Only this registration ID.") String device;
        @Option(names = "--last", defaultValue = "50", paramLabel = "N", description = "How many (default ${DEFAULT-VALUE}).") int last;
        @Option(names = "--json", description = "Print JSON instead of a table.") boolean json;

        @Override
        public Integer call() {
            String q = "/registrations?limit=" + last + (device == null ? "" : "&device=" + UrlPath.segment(device));
            JsonNode list = data.client().get(q);
            PrintWriter w = spec.commandLine().getOut();
            if (json) {
                w.println(list.toPrettyString());
            } else {
                w.printf("%-24s %-24s %-9s %-34s %-8s %-14s %s%n", "AT", "REGISTRATION ID", "STATUS", "SUBSTATUS / REASON", "HUB", "ENROLLMENT", "CERT SERIAL");
                for (JsonNode e : list) {
                    String sub = e.path("errorCode").isNull() ? e.path("substatus").asText("") : e.path("errorCode").asText();
                    w.printf("%-24s %-24s %-9s %-34s %-8s %-14s %s%n", e.path("at").asText(), e.path("registrationId").asText(),
                            e.path("status").asText(), sub, e.path("hub").asText("-"), e.path("enrollment").asText("-"),
                            e.path("certSerial").asText("-"));
                }
            }
            w.flush();
            return ImprintCommand.OK;
        }
    }
}
