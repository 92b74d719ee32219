package dev.imprint.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code imprint audit verify|list}: checks the hash chain of the audit log; shows its entries with their actor. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "The tamper-evident audit log.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.ListEntries.class})
public final class AuditCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Recompute the audit log's hash chain; exit 0 when intact, 1 naming the first broken entry.")
    static final class Verify implements Callable<Integer> {
        @Mixin ClientOptions data;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode r = data.client().get("/audit/verify");
            PrintWriter w = spec.commandLine().getOut();
            if (r.path("intact").asBoolean()) {
                w.println("audit log intact");
                w.flush();
                return ImprintCommand.OK;
            }
            w.printf("audit log BROKEN at entry %d: %s%n", r.path("firstBrokenSeq").asLong(), r.path("why").asText());
            w.flush();
            return ImprintCommand.FAILED;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Audit entries, newest first, with who made each (the actor).")
    static final class ListEntries implements Callable<Integer> {
        @Mixin ClientOptions data;
        @Spec CommandSpec spec;

        @Option(names = "--actor", paramLabel = "NAME",
                description = "Only entries by this operator (NAME matches operator:NAME and admin:NAME; or an exact actor such as station:line1).")
        String actor;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "At most N entries (default: ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--json", description = "Print JSON instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            if (limit < 1 || limit > 10_000) {
                throw new CliException(ImprintCommand.USAGE, "--limit must be in 1..10000");
            }
            String q = "/audit?limit=" + limit + (actor == null ? "" : "&actor=" + java.net.URLEncoder.encode(actor, java.nio.charset.StandardCharsets.UTF_8));
            JsonNode list = data.client().get(q);
            PrintWriter w = spec.commandLine().getOut();
            if (json) {
                w.println(list.toPrettyString());
            } else {
                w.printf("%-7s %-24s %-20s %-22s %s%n", "SEQ", "AT", "TYPE", "ACTOR", "SUBJECT");
                if (list.isEmpty()) {
                    w.println(actor == null ? "(no entries)" : "(no entries by " + actor + ")");
                }
                for (JsonNode e : list) {
                    w.printf("%-7d %-24s %-20s %-22s %s%n", e.path("seq").asLong(), e.path("at").asText(), e.path("type").asText(),
                            e.path("actor").asText(), e.path("subject").asText(""));
                }
            }
            w.flush();
            return ImprintCommand.OK;
        }
    }
}
