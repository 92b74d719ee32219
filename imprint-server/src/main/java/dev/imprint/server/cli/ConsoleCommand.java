package dev.imprint.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code imprint console login}: a one-time link that logs a browser into the web console. */
@Command(name = "console", mixinStandardHelpOptions = true, description = "The web console at the HTTPS endpoint's /.",
        subcommands = ConsoleCommand.Login.class)
public final class ConsoleCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "login", mixinStandardHelpOptions = true,
            description = "Print a one-time login link for the web console (single use, valid 5 minutes; the session lasts 8 hours).")
    static final class Login implements Callable<Integer> {
        @Mixin ClientOptions data;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode r = data.client().post("/console/login-links", Map.of());
            PrintWriter w = spec.commandLine().getOut();
            w.println(r.path("url").asText());
            w.flush();
            spec.commandLine().getErr().printf("open it in a browser within %d minutes; it works once%n", r.path("validSeconds").asLong(300) / 60);
            spec.commandLine().getErr().flush();
            return ImprintCommand.OK;
        }
    }
}
