package dev.imprint.server.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imprint.device.Device;
import dev.imprint.device.DeviceKey;
import dev.imprint.device.MemoryState;
import dev.imprint.device.bus.BusChannel;
import dev.imprint.device.bus.SimLink;
import dev.imprint.factory.est.CaClient;
import dev.imprint.factory.est.StationCredential;
import dev.imprint.factory.line.BatchRunner;
import dev.imprint.factory.line.DeviceSource;
import dev.imprint.factory.line.IdAllocator;
import dev.imprint.factory.line.Journal;
import dev.imprint.factory.line.LedgerBatcher;
import dev.imprint.factory.line.Progress;
import dev.imprint.factory.line.Provisioner;
import dev.imprint.pki.Pem;
import dev.imprint.server.cli.AdminClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The factory stage of a simulated fleet: a new station (through the admin API), then the real
 * station pipeline (journal, EST enrollment, possession proof, ledger) against simulated devices
 * on in-memory bus links, each making its own key. The devices come back with key, ID and
 * factory certificate.
 */
final class SimFactory {
    private SimFactory() {}

    /** @return the provisioned devices (refused ones are left out) */
    static List<MemoryState> provision(AdminClient admin, String estUrl, Path workDir, int count, int parallel, PrintWriter out,
            boolean terminal) {
        byte[] r = new byte[3];
        new SecureRandom().nextBytes(r);
        String tag = HexFormat.of().formatHex(r);
        String station = "sim-" + tag;
        JsonNode s = admin.post("/stations", com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                .put("name", station).put("idPattern", "sim-" + tag + "-[0-9]+").put("quota", 0).put("rate", 0));
        List<java.security.cert.X509Certificate> chain = Pem.readCertificates(s.get("chain").asText());
        StationCredential cred = new StationCredential(station, Pem.readCertificates(s.get("certificate").asText()).get(0),
                Pem.readPrivateKey(s.get("key").asText(), null), chain);
        ConcurrentLinkedQueue<MemoryState> made = new ConcurrentLinkedQueue<>();
        ExecutorService devices = Executors.newFixedThreadPool(parallel, r2 -> {
            Thread t = new Thread(r2, "imprint-sim-factory-device");
            t.setDaemon(true);
            return t;
        });
        Duration step = Duration.ofSeconds(30);
        try (CaClient ca = new CaClient(cred, estUrl);
                Journal journal = Journal.open(workDir.resolve(station).resolve("journal.log"));
                LedgerBatcher ledger = new LedgerBatcher(ca, "sim-" + tag)) {
            List<java.security.cert.X509Certificate> caCerts = new ArrayList<>(ca.cacerts());
            IdAllocator ids = new IdAllocator(journal, station + "-", 6, 0);
            Provisioner p = new Provisioner(journal, ids, ca, ledger, caCerts, null, step);
            AtomicInteger left = new AtomicInteger(count);
            DeviceSource source = new DeviceSource() {
                @Override
                public BusChannel next(Duration wait) {
                    if (left.getAndDecrement() <= 0) {
                        return null;
                    }
                    MemoryState state = new MemoryState(DeviceKey.generate(), null);
                    SimLink[] link = SimLink.pair("sim");
                    devices.submit(() -> {
                        try (SimLink end = link[1]) {
                            new Device(state).factoryJoin(end, step);
                            made.add(state);
                        } catch (RuntimeException e) {
                            // counted as refused by the station
                        }
                    });
                    return link[0];
                }

                @Override
                public void close() {
                }
            };
            try (Progress progress = new Progress(out, terminal, count, 0)) {
                BatchRunner.Result res = new BatchRunner(p, parallel, progress).runSource(source, count, 0);
                if (res.stopCode() != null) {
                    throw new IllegalStateException("the factory line stopped: " + res.stopCode() + " " + res.stopMessage());
                }
            }
        } finally {
            devices.shutdown();
        }
        // a device is ready once it got DONE (it adds itself after the station confirmed)
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (made.size() < count && System.nanoTime() < deadline && made.stream().count() < count) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return new ArrayList<>(made);
    }
}
