package dev.imprint.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imprint.pki.Pem;
import dev.imprint.server.PrivateFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code imprint station create|list|revoke}: factory programming stations. */
@Command(name = "station", mixinStandardHelpOptions = true,
        description = "Manage factory programming stations (they enroll devices over EST with their own certificate).",
        subcommands = {StationCommand.Create.class, StationCommand.ListStations.class, StationCommand.Revoke.class})
public final class StationCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            header = "Create a station and write its credential to --out DIR.",
            description = {"Create a station and write its credential: DIR/station.crt, DIR/station.key (mode 0600),",
                    "DIR/chain.pem (issuing CA and root), DIR/station.p12 and DIR/station.json (name and ID pattern, which",
                    "'imprint factory run' uses to assign IDs the CA accepts)."})
    static final class Create implements Callable<Integer> {
        @Mixin ClientOptions data;
        @Spec CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "Station name: letters, digits, '.', '_', '-'.")
        String name;

        @Option(names = "--ids", required = true, paramLabel = "REGEX",
                description = "Java regular expression the device IDs it requests must match in full, e.g. 'line1-[0-9]{6}'.")
        String ids;

        @Option(names = "--quota", paramLabel = "N", defaultValue = "0", description = "Most certificates it may obtain (0 = unlimited).")
        long quota;

        @Option(names = "--rate", paramLabel = "N", defaultValue = "0", description = "Most issuances per second (0 = unlimited).")
        int rate;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write the credential to.")
        Path out;

        @Option(names = "--p12-password", paramLabel = "PASSWORD", defaultValue = "imprint",
                description = "Password of station.p12 (default: ${DEFAULT-VALUE}).")
        String p12Password;

        @Override
        public Integer call() throws IOException, GeneralSecurityException {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("idPattern", ids);
            body.put("quota", quota);
            body.put("rate", rate);
            JsonNode r = data.client().post("/stations", body);
            writeCredential(out, r.path("certificate").asText(), r.path("key").asText(), r.path("chain").asText(), p12Password.toCharArray());
            // 'imprint factory run' reads the pattern to assign IDs the CA accepts
            PrivateFiles.writePublic(out.resolve("station.json"), new com.fasterxml.jackson.databind.ObjectMapper()
                    .writeValueAsBytes(Map.of("name", name, "idPattern", ids)));
            PrintWriter w = spec.commandLine().getOut();
            w.printf("station %s created (serial %s); credential written to %s%n", name, r.path("serial").asText(), out.toAbsolutePath());
            w.flush();
            return ImprintCommand.OK;
        }
    }

    /** Writes station.crt, station.key (0600), chain.pem and station.p12 into {@code dir}. */
    static void writeCredential(Path dir, String certPem, String keyPem, String chainPem, char[] p12Password)
            throws IOException, GeneralSecurityException {
        Files.createDirectories(dir);
        PrivateFiles.write(dir.resolve("station.key"), keyPem.getBytes(StandardCharsets.US_ASCII));
        PrivateFiles.writePublic(dir.resolve("station.crt"), certPem.getBytes(StandardCharsets.US_ASCII));
        PrivateFiles.writePublic(dir.resolve("chain.pem"), chainPem.getBytes(StandardCharsets.US_ASCII));
        List<X509Certificate> all = new ArrayList<>(Pem.readCertificates(certPem));
        all.addAll(Pem.readCertificates(chainPem));
        PrivateKey key = Pem.readPrivateKey(keyPem, null);
        KeyStore p12 = KeyStore.getInstance("PKCS12");
        p12.load(null, null);
        p12.setKeyEntry("station", key, p12Password, all.toArray(X509Certificate[]::new));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        p12.store(bytes, p12Password);
        PrivateFiles.write(dir.resolve("station.p12"), bytes.toByteArray());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List stations with their policy and counters.")
    static final class ListStations implements Callable<Integer> {
        @Mixin ClientOptions data;
        @Spec CommandSpec spec;

        @Option(names = "--json", description = "Print JSON instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            JsonNode list = data.client().get("/stations");
            PrintWriter w = spec.commandLine().getOut();
            if (json) {
                w.println(list.toPrettyString());
            } else {
                w.printf("%-20s %-8s %-10s %-6s %-8s %s%n", "NAME", "STATE", "ISSUED", "RATE", "QUOTA", "IDS");
                for (JsonNode s : list) {
                    w.printf("%-20s %-8s %-10d %-6s %-8s %s%n", s.path("name").asText(), s.path("revoked").asBoolean() ? "revoked" : "active",
                            s.path("issued").asLong(), limit(s.path("rate").asLong()), limit(s.path("quota").asLong()), s.path("idPattern").asText());
                }
            }
            w.flush();
            return ImprintCommand.OK;
        }

        private static String limit(long n) {
            return n == 0 ? "-" : Long.toString(n);
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a station and its certificate; it obtains nothing afterwards.")
    static final class Revoke implements Callable<Integer> {
        @Mixin ClientOptions data;
        @Spec CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "Station name.")
        String name;

        @Override
        public Integer call() {
            data.client().post("/stations/" + UrlPath.segment(name) + "/revoke", Map.of());
            spec.commandLine().getOut().printf("station %s revoked%n", name);
            spec.commandLine().getOut().flush();
            return ImprintCommand.OK;
        }
    }
}
