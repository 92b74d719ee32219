package dev.imprint.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code imprint cert list|revoke}: issued certificates and their revocation. */
@Command(name = "cert", mixinStandardHelpOptions = true, description = "List and revoke issued certificates.",
        subcommands = {CertCommand.ListCerts.class, CertCommand.Revoke.class})
public final class CertCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List issued certificates, newest first.")
    static final class ListCerts implements Callable<Integer> {
        @Mixin ClientOptions data;
        @Spec CommandSpec spec;

        @Option(names = "--device", paramLabel = "ID", description = "Only the certificates of this device ID.")
        String device;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most N certificates (default ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--offset", paramLabel = "N", defaultValue = "0", description = "Skip the first N.")
        int offset;

        @Option(names = "--json", description = "Print JSON instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            String q = "/certificates?limit=" + limit + "&offset=" + offset + (device == null ? "" : "&device=" + UrlPath.segment(device));
            JsonNode list = data.client().get(q);
            PrintWriter w = spec.commandLine().getOut();
            if (json) {
                w.println(list.toPrettyString());
            } else {
                w.printf("%-42s %-14s %-24s %-8s %-22s %s%n", "SERIAL", "CA", "IDENTITY", "KIND", "NOT AFTER", "STATUS");
                for (JsonNode c : list) {
                    w.printf("%-42s %-14s %-24s %-8s %-22s %s%n", c.path("serial").asText(), c.path("ca").asText(), c.path("deviceId").asText(),
                            c.path("kind").asText(), c.path("notAfter").asText(),
                            c.path("revoked").asBoolean() ? "revoked (" + c.path("revocationReason").asText() + ")" : "valid");
                }
            }
            w.flush();
            return ImprintCommand.OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke one certificate by serial, or every certificate of a device. CRLs and OCSP reflect it within a second.")
    static final class Revoke implements Callable<Integer> {
        @Mixin ClientOptions data;
        @Spec CommandSpec spec;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        static final class Target {
            @Option(names = "--serial", paramLabel = "HEX", description = "Serial number in hex.")
            String serial;

            @Option(names = "--device", paramLabel = "ID", description = "Revoke every certificate of this device ID.")
            String device;
        }

        @Option(names = "--reason", paramLabel = "R", defaultValue = "unspecified",
                description = "RFC 5280 reason: unspecified, keyCompromise, cACompromise, affiliationChanged, superseded, "
                        + "cessationOfOperation, certificateHold, privilegeWithdrawn, aACompromise (default ${DEFAULT-VALUE}).")
        String reason;

        @Override
        public Integer call() {
            AdminClient client = data.client();
            PrintWriter w = spec.commandLine().getOut();
            if (target.serial != null) {
                JsonNode r = client.post("/certificates/" + UrlPath.segment(target.serial) + "/revoke", Map.of("reason", reason));
                w.printf("revoked %s (%s)%n", r.path("serial").asText(), r.path("reason").asText());
            } else {
                JsonNode r = client.post("/devices/" + UrlPath.segment(target.device) + "/revoke", Map.of("reason", reason));
                for (JsonNode e : r) {
                    w.printf("revoked %s (%s)%n", e.path("serial").asText(), e.path("reason").asText());
                }
            }
            w.flush();
            return ImprintCommand.OK;
        }
    }
}
