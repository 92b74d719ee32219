package dev.imprint.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code imprint ledger list|export}: the factory ledger (devices provisioned by stations), from the admin API. */
@Command(name = "ledger", mixinStandardHelpOptions = true, description = "The factory ledger: every device a station provisioned.",
        subcommands = {LedgerCommand.ListEntries.class, LedgerCommand.Export.class})
public final class LedgerCommand implements Runnable {
    private static final int PAGE = 10_000;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List ledger entries as a table.")
    static final class ListEntries implements Callable<Integer> {
        @Mixin ClientOptions data;
        @Spec CommandSpec spec;

        @Option(names = "--batch", paramLabel = "NAME", description = "Only this batch.")
        String batch;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "Most entries (default ${DEFAULT-VALUE}).")
        int limit;

        @Override
        public Integer call() {
            JsonNode page = data.client().get(query(batch, Math.max(1, Math.min(limit, PAGE)), 0));
            PrintWriter w = spec.commandLine().getOut();
            w.printf("%-28s %-42s %-16s %-16s %s%n", "DEVICE", "SERIAL", "STATION", "BATCH", "PROVISIONED");
            for (JsonNode e : page.path("entries")) {
                w.printf("%-28s %-42s %-16s %-16s %s%n", e.path("deviceId").asText(), e.path("serial").asText(), e.path("station").asText(),
                        e.path("batch").asText(), e.path("provisionedAt").asText());
            }
            w.printf("%d of %d entries%n", page.path("entries").size(), page.path("total").asLong());
            w.flush();
            return ImprintCommand.OK;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true, description = "Export every ledger entry (of a batch) as CSV or JSON.")
    static final class Export implements Callable<Integer> {
        @Mixin ClientOptions data;
        @Spec CommandSpec spec;

        @Option(names = "--batch", paramLabel = "NAME", description = "Only this batch.")
        String batch;

        @Option(names = "--format", paramLabel = "csv|json", defaultValue = "csv", description = "csv (default) or json.")
        String format;

        @Override
        public Integer call() {
            if (!format.equals("csv") && !format.equals("json")) {
                throw new CliException(ImprintCommand.USAGE, "--format must be csv or json");
            }
            AdminClient admin = data.client();
            ArrayNode all = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
            for (int offset = 0; ; offset += PAGE) {
                JsonNode page = admin.get(query(batch, PAGE, offset));
                page.path("entries").forEach(all::add);
                if (page.path("entries").size() < PAGE) {
                    break;
                }
            }
            PrintWriter w = spec.commandLine().getOut();
            if (format.equals("json")) {
                w.println(all.toPrettyString());
            } else {
                w.println("device_id,serial,key_fingerprint,station,batch,provisioned_at,recorded_at");
                for (JsonNode e : all) {
                    w.println(String.join(",", csv(e, "deviceId"), csv(e, "serial"), csv(e, "keyFingerprint"), csv(e, "station"),
                            csv(e, "batch"), csv(e, "provisionedAt"), csv(e, "recordedAt")));
                }
            }
            w.flush();
            return ImprintCommand.OK;
        }

        private static String csv(JsonNode e, String field) {
            String v = e.path(field).asText("");
            return v.matches("[A-Za-z0-9._:@+=\\-TZ]*") ? v : "\"" + v.replace("\"", "\"\"") + "\"";
        }
    }

    static String query(String batch, int limit, int offset) {
        return "/ledger?limit=" + limit + "&offset=" + offset + (batch == null ? "" : "&batch=" + UrlPath.segment(batch));
    }
}
