package dev.imprint.bench.ca;

import dev.imprint.ca.Authority;
import dev.imprint.ca.CaSettings;
import dev.imprint.ca.IssuanceRequest;
import dev.imprint.store.JdbcStore;
import dev.imprint.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issuance through the Java API on a SQLite file store: {@code threads} callers each keep up to
 * {@code inFlight} station enrollments outstanding (verify CSR, build, sign, group-commit
 * record); a certificate counts when its future completes, i.e. after the commit that made it
 * durable. Prints certificates per second.
 *
 * <p>{@code java -cp bench/target/benchmarks.jar dev.imprint.bench.ca.IssuanceLoad [threads] [seconds] [inFlight]}
 */
public final class IssuanceLoad {
    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int inFlight = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        int perThread = 12_000 * seconds / threads + 20_000;
        Path dir = Files.createTempDirectory("imprint-bench-ca");
        System.out.printf("preparing %d CSRs per thread...%n", perThread);
        byte[][][] csrs = new byte[threads][][];
        for (int t = 0; t < threads; t++) {
            csrs[t] = BenchCsrs.make("dev-" + t + "-", perThread);
        }
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (Store store = JdbcStore.sqlite(dir.resolve("imprint.db"));
                Authority ca = Authority.open(CaSettings.defaults(dir.resolve("pki"), "bench".toCharArray(), "http://127.0.0.1:8080")
                        .withMeterRegistry(meters), store)) {
            ca.stations().create("line", "dev-.*", 0, 0, "bench");
            // warm-up
            run(ca, csrs, threads, 3, inFlight, 0, new AtomicLong[] {new AtomicLong()});
            AtomicLong[] used = {new AtomicLong()};
            long before = store.certificates().count();
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            long done = run(ca, csrs, threads, seconds, inFlight, 1, used);
            double secs = (System.nanoTime() - t0) / 1e9;
            double cpuMsPerCert = (os.getProcessCpuTime() - cpu0) / 1e6 / Math.max(1, done);
            long recorded = store.certificates().count() - before;
            var batch = meters.summary("imprint.ca.record.batch");
            var insert = meters.timer("imprint.ca.record.insert");
            System.out.printf("recorder (whole run incl. warm-up): %d batches, mean %.0f certificates/batch,"
                    + " insertAll with its audit entry (one transaction) mean %.1f ms%n",
                    batch.count(), batch.mean(), insert.mean(TimeUnit.MILLISECONDS));
            System.out.printf("issuance: %d threads, %d in flight each: %d certificates in %.2f s = %.0f certificates/s (recorded: %d)%n",
                    threads, inFlight, done, secs, done / secs, recorded);
            System.out.printf("process CPU per certificate: %.3f ms (all threads: callers, recorder, SQLite) -> %.0f certificates/s on %d cores if the process had them to itself; load average now %.1f%n",
                    cpuMsPerCert, Runtime.getRuntime().availableProcessors() * 1000 / cpuMsPerCert,
                    Runtime.getRuntime().availableProcessors(), os.getSystemLoadAverage());
        }
    }

    private static final AtomicLong[] NEXT = new AtomicLong[64];

    private static long run(Authority ca, byte[][][] csrs, int threads, int seconds, int inFlight, int phase, AtomicLong[] used)
            throws InterruptedException {
        AtomicLong completed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int tt = t;
            if (NEXT[t] == null) {
                NEXT[t] = new AtomicLong();
            }
            ts[t] = new Thread(() -> {
                Semaphore window = new Semaphore(inFlight);
                while (System.nanoTime() < end) {
                    int i = (int) NEXT[tt].getAndIncrement();
                    if (i >= csrs[tt].length) {
                        break;
                    }
                    window.acquireUninterruptibly();
                    ca.issueAsync(IssuanceRequest.byStation("line", csrs[tt][i])).whenComplete((c, e) -> {
                        if (e == null) {
                            completed.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                        }
                        window.release();
                    });
                }
                window.acquireUninterruptibly(inFlight);
            }, "caller-" + t);
            ts[t].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        if (failed.get() > 0) {
            System.out.println("failed: " + failed.get());
        }
        return completed.get();
    }
}
