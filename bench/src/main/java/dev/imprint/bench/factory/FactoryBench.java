package dev.imprint.bench.factory;

import dev.imprint.ca.Authority;
import dev.imprint.ca.Credential;
import dev.imprint.ca.IssuanceRequest;
import dev.imprint.device.Csrs;
import dev.imprint.device.DeviceKey;
import dev.imprint.device.bus.BusAddress;
import dev.imprint.factory.Station;
import dev.imprint.factory.line.BatchRunner;
import dev.imprint.pki.Pem;
import dev.imprint.server.config.ConfigLoader;
import dev.imprint.server.up.Node;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Devices provisioned per second end to end ({@code imprint factory run --bus sim}: key
 * generation on the device, CSR, EST over mutual TLS to a running CA, install, possession
 * proof, ledger), beside the CA's raw issuance rate through the Java API, in one run.
 *
 * <p>{@code java -cp bench/target/benchmarks.jar dev.imprint.bench.factory.FactoryBench [devices] [parallel] [warm-up devices]}
 */
public final class FactoryBench {
    private FactoryBench() {}

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int parallel = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : Math.min(2000, count);
        Path data = Files.createTempDirectory("imprint-factory-bench");
        Map<String, String> env = new HashMap<>();
        env.put("IMPRINT_PKI_PORT", Integer.toString(freePort()));
        env.put("IMPRINT_HTTPS_PORT", Integer.toString(freePort()));
        env.put("IMPRINT_CA_PASSPHRASE", "bench-only");
        env.put("IMPRINT_AWS_ENABLED", "false");
        PrintWriter quiet = new PrintWriter(java.io.Writer.nullWriter());
        try (Node server = Node.start(ConfigLoader.load(data, env), env)) {
            Authority ca = server.authority();
            Path st = station(ca, data.resolve("station"), "bench");
            String est = server.endpoints().est();
            BatchRunner.Result w = run(st, est, "warmup", warmup, parallel, quiet);
            System.out.printf("warm-up: %d devices, %.0f devices/s (refused %d)%n", w.provisioned(), w.rate(), w.refused());
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            Map<Long, Long> th0 = threadCpu();
            Map<Long, String> names = new java.util.concurrent.ConcurrentHashMap<>();
            Map<Long, Long> last = new java.util.concurrent.ConcurrentHashMap<>();
            var mx0 = java.lang.management.ManagementFactory.getThreadMXBean();
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    // thread CPU clocks only; a thread's name is looked up once (no stack dumps, no safepoint per sample)
                    for (long id : mx0.getAllThreadIds()) {
                        long c = mx0.getThreadCpuTime(id);
                        if (c > 0) {
                            if (!names.containsKey(id)) {
                                var ti = mx0.getThreadInfo(id, 0);
                                names.put(id, ti == null ? "gone" : ti.getThreadName());
                            }
                            last.put(id, c);
                        }
                    }
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.setDaemon(true);
            sampler.start();
            BatchRunner.Result r = run(st, est, "measured", count, parallel, quiet);
            sampler.interrupt();
            sampler.join();
            double cpuMs = (os.getProcessCpuTime() - cpu0) / 1e6;
            Map<String, Long> byGroup = new java.util.TreeMap<>();
            var mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long sum = 0;
            for (var e : last.entrySet()) {
                long d = e.getValue() - th0.getOrDefault(e.getKey(), 0L);
                sum += d;
                byGroup.merge(names.get(e.getKey()).replaceAll("[-0-9]+$", ""), d, Long::sum);
            }
            byGroup.put("(not in Java threads: GC, JIT)", (long) (cpuMs * 1e6) - sum);
            StringBuilder g = new StringBuilder("thread CPU per device (ms):");
            byGroup.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(14)
                    .forEach(e -> g.append(String.format(" %s=%.3f", e.getKey(), e.getValue() / 1e6 / count)));
            System.out.println(g);

            System.out.printf("factory end to end (--bus sim --parallel %d): %d devices in %.2f s = %.0f devices/s (refused %d)%n",
                    parallel, r.provisioned(), r.seconds(), r.rate(), r.refused());
            System.out.printf("process CPU per device: %.3f ms (station, simulated devices and CA in one process); load average now %.1f%n",
                    cpuMs / Math.max(1, r.provisioned()), os.getSystemLoadAverage());

            ca.stations().create("raw", "raw-[0-9]{8}", 0, 0, "bench");
            List<byte[]> csrs = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                csrs.add(Csrs.build(DeviceKey.generate(), String.format("raw-%08d", i)));
            }
            Semaphore window = new Semaphore(256);
            long t0 = System.nanoTime();
            List<CompletableFuture<?>> all = new ArrayList<>(count);
            for (byte[] csr : csrs) {
                window.acquire();
                all.add(ca.issueAsync(IssuanceRequest.byStation("raw", csr)).whenComplete((c, e) -> window.release()));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("CA raw issuance (Authority.issueAsync, same process, CSRs prebuilt): %d in %.2f s = %.0f certificates/s%n",
                    count, s, count / s);
        }
    }

    private static BatchRunner.Result run(Path st, String est, String batch, int count, int parallel, PrintWriter out) {
        return Station.run(new Station.Options(st, est, BusAddress.parse("sim"), count, batch, parallel, null, 8, null,
                Duration.ofSeconds(30), dev.imprint.factory.est.CaClient.DEFAULT_TIMEOUT), out, false);
    }

    private static Path station(Authority ca, Path dir, String name) throws Exception {
        Credential c = ca.stations().create(name, name + "-[0-9]{8}", 0, 0, "bench");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("station.crt"), Pem.write(c.certificate()));
        Files.writeString(dir.resolve("station.key"), dev.imprint.pki.Pem.write(c.key()));
        Files.writeString(dir.resolve("chain.pem"), Pem.write(c.chain()));
        return dir;
    }

    private static Map<Long, Long> threadCpu() {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<Long, Long> m = new HashMap<>();
        for (long id : mx.getAllThreadIds()) {
            m.put(id, mx.getThreadCpuTime(id));
        }
        return m;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
