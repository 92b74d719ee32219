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
import dev.imprint.server.Pkcs8;
import dev.imprint.server.config.ConfigLoader;
import dev.imprint.server.up.ImprintServer;
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
 * <p>{@code java -cp bench/target/benchmarks.jar dev.imprint.bench.factory.FactoryBench [devices] [parallel]}
 */
public final class FactoryBench {
    private FactoryBench() {}

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int parallel = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        Path data = Files.createTempDirectory("imprint-factory-bench");
        Map<String, String> env = new HashMap<>();
        env.put("IMPRINT_PKI_PORT", Integer.toString(freePort()));
        env.put("IMPRINT_HTTPS_PORT", Integer.toString(freePort()));
        env.put("IMPRINT_CA_PASSPHRASE", "bench-only");
        PrintWriter quiet = new PrintWriter(java.io.Writer.nullWriter());
        try (ImprintServer server = ImprintServer.start(ConfigLoader.load(data, env), env)) {
            Authority ca = server.authority();
            Path st = station(ca, data.resolve("station"), "bench");
            String est = server.endpoints().est();
            BatchRunner.Result w = run(st, est, "warmup", Math.min(2000, count), parallel, quiet);
            System.out.printf("warm-up: %d devices, %.0f devices/s (refused %d)%n", w.provisioned(), w.rate(), w.refused());
            BatchRunner.Result r = run(st, est, "measured", count, parallel, quiet);
            System.out.printf("factory end to end (--bus sim --parallel %d): %d devices in %.2f s = %.0f devices/s (refused %d)%n",
                    parallel, r.provisioned(), r.seconds(), r.rate(), r.refused());

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
                Duration.ofSeconds(30)), out, false);
    }

    private static Path station(Authority ca, Path dir, String name) throws Exception {
        Credential c = ca.stations().create(name, name + "-[0-9]{8}", 0, 0, "bench");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("station.crt"), Pem.write(c.certificate()));
        Files.writeString(dir.resolve("station.key"), Pkcs8.pem(c.key()));
        Files.writeString(dir.resolve("chain.pem"), Pem.write(c.chain()));
        return dir;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
