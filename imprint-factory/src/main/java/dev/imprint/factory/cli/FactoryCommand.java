package dev.imprint.factory.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.device.bus.BusAddress;
import dev.imprint.factory.line.IdDefaults;
import dev.imprint.device.cli.DurationConverter;
import dev.imprint.factory.FactoryException;
import dev.imprint.factory.Station;
import dev.imprint.factory.line.BatchRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code imprint factory run}: the programming station. */
@Command(name = "factory", mixinStandardHelpOptions = true, description = "The factory programming station.",
        subcommands = {FactoryCommand.Run.class})
public final class FactoryCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Exit codes: 0 batch complete, 1 line stopped or devices refused, 2 usage, 3 CA unreachable. */
    @Command(name = "run", mixinStandardHelpOptions = true,
            header = "Provision a batch of devices through this station (resumes after a crash).",
            description = {"Provision devices: each device makes its key and CSR, the station enrolls it over EST with its",
                    "own credential, the device installs the certificate and proves possession, the CA records it in the",
                    "ledger. Kill it and run the same command again: the batch resumes (journal in STATION/journal/)."})
    static final class Run implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--station", required = true, paramLabel = "DIR", description = "Station folder from 'imprint station create --out DIR'.")
        Path station;

        @Option(names = "--bus", required = true, paramLabel = "BUS", description = "sim, tcp:HOST:PORT (loopback), unix:PATH or serial:PATH.")
        String bus;

        @Option(names = "--count", paramLabel = "N", defaultValue = "0",
                description = "Devices the batch provisions in total (required for sim; 0 = keep serving the bus).")
        int count;

        @Option(names = "--batch", paramLabel = "NAME", defaultValue = "default", description = "Batch name (ledger, journal; default ${DEFAULT-VALUE}).")
        String batch;

        @Option(names = "--parallel", paramLabel = "N", defaultValue = "4", description = "Devices served at once (default ${DEFAULT-VALUE}).")
        int parallel;

        @Option(names = "--est", paramLabel = "URL", description = "EST base URL; default: 'est' of <data>/endpoints.json.")
        String est;

        @Option(names = "--data", paramLabel = "DIR", defaultValue = "${env:IMPRINT_DATA:-imprint-data}",
                description = "Data folder whose endpoints.json names the CA (when --est is not given).")
        Path data;

        @Option(names = "--id-prefix", paramLabel = "PREFIX",
                description = "Assigned IDs are PREFIX + counter (default: from the station's --ids pattern when it reads "
                        + "PREFIX[0-9]{N}, else '<station name>-').")
        String idPrefix;

        @Option(names = "--id-digits", paramLabel = "N",
                description = "Digits of the counter (default: N of the station's pattern, else 8).")
        Integer idDigits;

        @Option(names = "--ids", paramLabel = "REGEX", description = "Refuse device-chosen IDs outside this pattern before asking the CA.")
        String ids;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
                description = "Per-step bus timeout: 30s, 2m, or plain seconds (default ${DEFAULT-VALUE}).")
        Duration timeout;

        @Option(names = "--ca-timeout", paramLabel = "DURATION", defaultValue = "15s", converter = DurationConverter.class,
                description = "How long an EST request may wait for the CA's answer before the station asks the CA what it issued and retries:"
                        + " 15s, 1m, or plain seconds (default ${DEFAULT-VALUE}).")
        Duration caTimeout;

        @Option(names = "--plain", description = "Plain progress lines even on a terminal.")
        boolean plain;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Station.Options o;
            try {
                BusAddress address = BusAddress.parse(bus);
                if (address.kind() == BusAddress.Kind.SIM && count <= 0) {
                    throw new IllegalArgumentException("--bus sim needs --count N");
                }
                if (caTimeout.compareTo(Duration.ofSeconds(1)) < 0 || caTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
                    throw new IllegalArgumentException("--ca-timeout must be 1s..10m");
                }
                if (parallel < 1 || parallel > 1024) {
                    throw new IllegalArgumentException("--parallel must be 1..1024");
                }
                if (!batch.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
                    throw new IllegalArgumentException("--batch must be 1-64 letters, digits, '.', '_', '-'");
                }
                IdDefaults.Ids assigned = assignedIds();
                o = new Station.Options(station.toAbsolutePath(), est != null ? est : estFromData(), address, count, batch, parallel,
                        assigned == null ? idPrefix : assigned.prefix(), assigned == null ? IdDefaults.DEFAULT_DIGITS : assigned.digits(), ids == null ? null : Pattern.compile(ids), timeout,
                        caTimeout);
            } catch (IllegalArgumentException e) {
                err.println("imprint factory: " + e.getMessage());
                err.flush();
                return 2;
            }
            try {
                BatchRunner.Result r = Station.run(o, out, !plain && System.console() != null);
                out.printf("batch %s: provisioned %d this run (%d/%s in the batch), refused %d, %.1f s, %.0f devices/s%n",
                        batch, r.provisioned(), r.totalInBatch(), count > 0 ? Integer.toString(count) : "-", r.refused(), r.seconds(), r.rate());
                out.flush();
                if (r.stopCode() != null) {
                    err.printf("imprint factory: line stopped: %s %s%n", r.stopCode(), r.stopMessage());
                    err.flush();
                    return 1;
                }
                return count > 0 && r.totalInBatch() < count ? 1 : 0;
            } catch (FactoryException e) {
                err.printf("imprint factory: %s %s%n", e.code(), e.getMessage());
                err.flush();
                return "CA_UNREACHABLE".equals(e.code()) ? 3 : 1;
            }
        }

        /**
         * The IDs to assign, fitted to the station's pattern from {@code STATION/station.json} (written by
         * 'imprint station create'); null for a station folder without it (prefix from the credential's name).
         */
        private IdDefaults.Ids assignedIds() {
            Path info = station.toAbsolutePath().resolve("station.json");
            if (!java.nio.file.Files.exists(info)) {
                if (idDigits != null && (idDigits < 1 || idDigits > 18)) {
                    throw new IllegalArgumentException("--id-digits must be 1..18");
                }
                return idPrefix == null ? null : new IdDefaults.Ids(idPrefix, idDigits == null ? IdDefaults.DEFAULT_DIGITS : idDigits);
            }
            try {
                var n = new ObjectMapper().readTree(info.toFile());
                return IdDefaults.choose(n.path("name").asText(), n.path("idPattern").asText(null), idPrefix, idDigits);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + info + ": " + e.getMessage());
            }
        }

        private String estFromData() {
            Path f = data.toAbsolutePath().resolve("endpoints.json");
            try {
                String url = new ObjectMapper().readTree(f.toFile()).path("est").asText(null);
                if (url == null) {
                    throw new IllegalArgumentException(f + " has no 'est' entry; give --est URL");
                }
                return url;
            } catch (IOException e) {
                throw new IllegalArgumentException("no --est given and cannot read " + f + "; give --est URL or --data DIR");
            }
        }
    }
}
