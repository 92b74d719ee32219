package dev.imprint.factory;

import dev.imprint.device.DeviceState;
import dev.imprint.device.bus.BusAddress;
import dev.imprint.factory.est.CaClient;
import dev.imprint.factory.est.StationCredential;
import dev.imprint.factory.line.BatchRunner;
import dev.imprint.factory.line.DeviceSource;
import dev.imprint.factory.line.IdAllocator;
import dev.imprint.factory.line.Journal;
import dev.imprint.factory.line.LedgerBatcher;
import dev.imprint.factory.line.Progress;
import dev.imprint.factory.line.Provisioner;
import dev.imprint.factory.line.SerialSource;
import dev.imprint.factory.line.SimFleet;
import dev.imprint.factory.line.SocketSource;
import dev.imprint.pki.CryptoProviders;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The programming station: one batch on one bus, with the station credential from its folder,
 * a crash-resume journal in {@code <station>/journal/<batch>.log}, and ledger confirmations to the CA.
 * One station process per station folder at a time (the ID counter lives in its journals).
 */
public final class Station {

    /**
     * What to run.
     *
     * @param stationDir folder with station.crt, station.key, chain.pem (and the journal)
     * @param estUrl e.g. {@code https://127.0.0.1:8443/.well-known/est}
     * @param count devices to provision in the batch in total, across resumed runs (0 = open-ended; required for sim)
     * @param idPrefix assigned IDs are {@code idPrefix + zero-padded counter}
     * @param allowed local copy of the station's ID pattern, or null
     * @param step bus timeout per conversation step
     * @param caTimeout how long an EST request waits for the CA's answer before recovery
     */
    public record Options(Path stationDir, String estUrl, BusAddress bus, int count, String batch, int parallel,
            String idPrefix, int idDigits, Pattern allowed, Duration step, Duration caTimeout) {}

    private Station() {}

    /**
     * Runs (or resumes) the batch to its end.
     *
     * @throws FactoryException CREDENTIAL_INVALID, JOURNAL_IO, BUS_UNAVAILABLE, CA_UNREACHABLE
     *     or the CA's code when the line cannot start at all
     */
    public static BatchRunner.Result run(Options o, PrintWriter out, boolean terminal) {
        CryptoProviders.install();
        StationCredential cred = StationCredential.load(o.stationDir());
        // IDs are unique per station: a new batch starts past every counter any batch reserved
        long start = Journal.maxReserved(o.stationDir().resolve("journal"));
        try (CaClient ca = new CaClient(cred, o.estUrl(), o.caTimeout());
                Journal journal = Journal.open(o.stationDir().resolve("journal").resolve(o.batch() + ".log"));
                LedgerBatcher ledger = new LedgerBatcher(ca, o.batch())) {
            List<X509Certificate> caCerts = new ArrayList<>(ca.cacerts());
            int before = journal.confirmedCount();
            for (Journal.Entry e : journal.unledgered()) {
                // proved on an earlier run, but the CA had not acknowledged the ledger entry (idempotent by serial)
                ledger.confirm(new CaClient.Confirmation(e.id, e.serial, java.time.Instant.now()))
                        .thenRun(() -> journal.ledgered(e.id, e.serial));
            }
            String prefix = o.idPrefix() != null ? o.idPrefix() : cred.name() + "-";
            IdAllocator ids = new IdAllocator(journal, prefix, o.idDigits(), start);
            Provisioner p = new Provisioner(journal, ids, ca, ledger, caCerts, o.allowed(), o.step());
            if (o.bus().kind() == BusAddress.Kind.SIM) {
                try (SimFleet fleet = SimFleet.open(o.stationDir().resolve("sim").resolve(o.batch() + ".keys"))) {
                    List<DeviceState> returning = new ArrayList<>();
                    for (Journal.Entry e : journal.unconfirmed()) {
                        fleet.returning(e.id).ifPresentOrElse(returning::add, () -> journal.abandoned(e.id, "device key lost"));
                    }
                    int todo = Math.max(0, o.count() - before);
                    out.printf("station %s batch %s: %d provisioned earlier, %d to go (%d returning after a stop), bus sim, parallel %d%n",
                            cred.name(), o.batch(), before, todo, Math.min(todo, returning.size()), o.parallel());
                    out.flush();
                    try (Progress progress = new Progress(out, terminal, todo, before)) {
                        return withLedger(ledger, new BatchRunner(p, o.parallel(), progress).runSim(fleet, returning, todo, before, o.step()));
                    }
                }
            }
            try (DeviceSource source = o.bus().kind() == BusAddress.Kind.SERIAL ? SerialSource.open(o.bus().path()) : SocketSource.listen(o.bus())) {
                int parallel = Math.min(o.parallel(), source.maxParallel());
                int todo = o.count() <= 0 ? 0 : Math.max(0, o.count() - before);
                out.printf("station %s batch %s: %d provisioned earlier, waiting for devices on %s, parallel %d%n",
                        cred.name(), o.batch(), before, o.bus(), parallel);
                out.flush();
                try (Progress progress = new Progress(out, terminal, todo, before)) {
                    if (o.count() > 0 && todo == 0) {
                        return new BatchRunner.Result(0, 0, before, 0, null, null);
                    }
                    return withLedger(ledger, new BatchRunner(p, parallel, progress).runSource(source, todo, before));
                }
            }
        }
    }

    /** Waits for the ledger entries still on their way; a refused ledger stops the batch's result. */
    private static BatchRunner.Result withLedger(LedgerBatcher ledger, BatchRunner.Result r) {
        ledger.drain(Duration.ofSeconds(60));
        FactoryException f = ledger.failure();
        if (f == null || r.stopCode() != null) {
            return r;
        }
        return new BatchRunner.Result(r.provisioned(), r.refused(), r.totalInBatch(), r.seconds(), f.code(),
                "the CA did not record the ledger (sent again on the next run): " + f.getMessage());
    }
}
