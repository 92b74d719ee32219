package dev.imprint.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imprint.server.PrivateFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code imprint operator add|list|revoke}: named operator accounts with roles. */
@Command(name = "operator", mixinStandardHelpOptions = true,
            header = "Operator accounts: a client certificate and a role each.",
        description = {"Roles: admin, security, operator, factory, auditor ('imprint operator add --help' says what each may do).",
                "Act as one with '--as DIR' on any command (or env IMPRINT_CREDENTIAL=DIR), and 'imprint console login --as DIR'."},
        subcommands = {OperatorCommand.Add.class, OperatorCommand.ListOperators.class, OperatorCommand.Revoke.class})
public final class OperatorCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            header = "Create an operator account with a role and write its credential to --out DIR.",
            description = {"Create an operator account and write its credential: DIR/operator.crt, DIR/operator.key (mode 0600),",
                    "DIR/trust.crt (Imprint's root, to check the server). Roles:",
                    "  admin     everything, operator accounts included",
                    "  security  certificates, revocation, stations, audit",
                    "  operator  devices (c2d, twins, methods), enrollments, hubs; no CA, no stations",
                    "  factory   its own stations (--station, repeatable) and their ledger only",
                    "  auditor   read-only everywhere, audit verify"})
    static final class Add implements Callable<Integer> {
        @Mixin ClientOptions data;
        @Spec CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "Account name: letters, digits, '.', '_', '-' (1-64); never reused.")
        String name;

        @Option(names = "--role", required = true, paramLabel = "ROLE", description = "admin, security, operator, factory or auditor.")
        String role;

        @Option(names = "--station", paramLabel = "STATION", description = "A station a factory account may see (repeatable; factory only).")
        List<String> stations = new ArrayList<>();

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write the credential to.")
        Path out;

        @Override
        public Integer call() throws IOException {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("role", role);
            body.put("stations", stations);
            JsonNode r = data.client().post("/operators", body);
            Files.createDirectories(out);
            PrivateFiles.write(out.resolve("operator.key"), r.path("key").asText().getBytes(StandardCharsets.US_ASCII));
            PrivateFiles.writePublic(out.resolve("operator.crt"), (r.path("certificate").asText() + r.path("chain").asText())
                    .getBytes(StandardCharsets.US_ASCII));
            Path trust = data.dir().resolve("admin").resolve("trust.crt");
            if (Files.exists(trust)) {
                PrivateFiles.writePublic(out.resolve("trust.crt"), Files.readAllBytes(trust));
            }
            PrintWriter w = spec.commandLine().getOut();
            w.printf("operator %s (%s) created (serial %s); credential written to %s%n", name, r.path("role").asText(),
                    r.path("certSerial").asText(), out.toAbsolutePath());
            w.printf("act as %s with: imprint <command> --as %s (or env IMPRINT_CREDENTIAL=%s)%n", name, out, out);
            w.flush();
            return ImprintCommand.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List operator accounts with their roles.")
    static final class ListOperators implements Callable<Integer> {
        @Mixin ClientOptions data;
        @Spec CommandSpec spec;

        @Option(names = "--json", description = "Print JSON instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            JsonNode list = data.client().get("/operators");
            PrintWriter w = spec.commandLine().getOut();
            if (json) {
                w.println(list.toPrettyString());
            } else {
                w.printf("%-20s %-9s %-8s %-20s %s%n", "NAME", "ROLE", "STATE", "CREATED BY", "STATIONS");
                for (JsonNode o : list) {
                    List<String> st = new ArrayList<>();
                    o.path("stations").forEach(s -> st.add(s.asText()));
                    w.printf("%-20s %-9s %-8s %-20s %s%n", o.path("name").asText(), o.path("role").asText(),
                            o.path("revoked").asBoolean() ? "revoked" : "active", o.path("createdBy").asText(), st.isEmpty() ? "-" : String.join(",", st));
                }
            }
            w.flush();
            return ImprintCommand.OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke an operator account and its certificate; refused from its next request on, on every admin node.")
    static final class Revoke implements Callable<Integer> {
        @Mixin ClientOptions data;
        @Spec CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "Account name.")
        String name;

        @Override
        public Integer call() {
            data.client().post("/operators/" + UrlPath.segment(name) + "/revoke", Map.of());
            spec.commandLine().getOut().printf("operator %s revoked%n", name);
            spec.commandLine().getOut().flush();
            return ImprintCommand.OK;
        }
    }
}
