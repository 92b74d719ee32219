package dev.imprint.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code imprint audit verify}: checks the hash chain of the audit log. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "The tamper-evident audit log.",
        subcommands = AuditCommand.Verify.class)
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
        @Mixin DataOption data;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode r = AdminClient.forDataDir(data.dir()).get("/audit/verify");
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
}
