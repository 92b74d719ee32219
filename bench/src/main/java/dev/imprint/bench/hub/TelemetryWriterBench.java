package dev.imprint.bench.hub;

import dev.imprint.store.JdbcStore;
import dev.imprint.store.TelemetryRecord;
import dev.imprint.store.TelemetryStore;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The hub's telemetry writer without the hub: the CPU time of this thread per row for
 * {@code appendAll} (batches of 4,096 rows, as the pipeline's largest) and for the retention step
 * after each batch ({@code prune(never by age, cap, 10_000)}), on an SQLite store in /dev/shm.
 * Thread CPU time, so a loaded machine blurs it less than a rate.
 *
 * <p>{@code TelemetryWriterBench DEVICES CAP BATCHES}: 10 devices take turns (a flood); more are
 * drawn at random (a fleet). The first third of the batches is not counted (warm-up, and the
 * table filling up to the cap).
 */
public final class TelemetryWriterBench {
    private static final int BATCH = 4096;

    private TelemetryWriterBench() {}

    public static void main(String[] args) throws Exception {
        int devices = Integer.parseInt(args[0]);
        long cap = Long.parseLong(args[1]);
        int batches = Integer.parseInt(args[2]);
        Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "imprint-telemetry-writer");
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        String[] ids = new String[devices];
        for (int i = 0; i < devices; i++) {
            ids[i] = String.format("bench-%05d", i);
        }
        byte[] body = new byte[108];
        Random random = new Random(1);
        long n = 0;
        long insertNanos = 0;
        long inserted = 0;
        long pruneNanos = 0;
        long pruned = 0;
        try (JdbcStore store = JdbcStore.sqlite(dir.resolve("imprint.db"))) {
            TelemetryStore t = store.telemetry();
            for (int b = 0; b < batches; b++) {
                List<TelemetryRecord> batch = new ArrayList<>(BATCH);
                Instant now = Instant.now();
                for (int i = 0; i < BATCH; i++) {
                    String id = devices <= 10 ? ids[(int) (n++ % devices)] : ids[random.nextInt(devices)];
                    batch.add(new TelemetryRecord(0, id, "hub-1", now, "{}", body));
                }
                long c0 = mx.getCurrentThreadCpuTime();
                t.appendAll(batch);
                long c1 = mx.getCurrentThreadCpuTime();
                int p = t.prune(Instant.EPOCH, cap, 10_000);
                long c2 = mx.getCurrentThreadCpuTime();
                if (b >= batches / 3) {
                    insertNanos += c1 - c0;
                    inserted += BATCH;
                    pruneNanos += c2 - c1;
                    pruned += p;
                }
            }
        } finally {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
        System.out.printf("devices %d, cap %d: insert %.2f us/message (%d), retention %.2f us/message (%d)%n", devices, cap,
                insertNanos / 1e3 / inserted, inserted, pruned == 0 ? 0 : pruneNanos / 1e3 / pruned, pruned);
    }
}
