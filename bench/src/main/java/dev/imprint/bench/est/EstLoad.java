package dev.imprint.bench.est;

import dev.imprint.pki.CryptoProviders;
import dev.imprint.pki.KeyAlgorithm;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * EST load generator: {@code S} stations (created through the admin API of a running
 * {@code imprint up}), each on its own persistent mutual-TLS connections (BoringSSL), each keeping
 * {@code inflight} enrollments outstanding. CSRs are made before the clock starts so the client
 * spends its CPU on TLS and HTTP only. Prints certificates/s and p50/p99 latency of the timed part.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.imprint.bench.est.EstLoad --data imprint-data [--stations 16]
 *     [--inflight 4] [--seconds 20] [--warmup 5]</pre>
 */
public final class EstLoad {
    private EstLoad() {}

    public static void main(String[] args) throws Exception {
        Path data = Path.of(arg(args, "--data", System.getenv().getOrDefault("IMPRINT_DATA", "imprint-data")));
        int stations = Integer.parseInt(arg(args, "--stations", "16"));
        int inflight = Integer.parseInt(arg(args, "--inflight", "4"));
        int seconds = Integer.parseInt(arg(args, "--seconds", "20"));
        int warmup = Integer.parseInt(arg(args, "--warmup", "5"));
        int perSecondGuess = Integer.parseInt(arg(args, "--csr-rate", "3000"));
        long serverPid = Long.parseLong(arg(args, "--server-pid", "0"));
        // the bench module has no logback.xml; keep Netty's DEBUG chatter out of the measurement
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(ch.qos.logback.classic.Level.WARN);
        CryptoProviders.install();

        AdminApi admin = new AdminApi(data);
        String run = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
        URI est = URI.create(admin.endpoints.path("est").asText());
        String trust = Files.readString(Path.of(admin.endpoints.path("trust").asText()));
        System.out.printf("run %s: %d stations x %d in flight against %s, %d s warmup + %d s measured%n", run, stations, inflight, est, warmup, seconds);

        int csrCount = perSecondGuess * (seconds + warmup) + 1000;
        List<List<Buffer>> csrs = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int s = 0; s < stations; s++) {
            List<Buffer> own = new ArrayList<>();
            for (int i = 0; i < csrCount / stations; i++) {
                own.add(Buffer.buffer(csr("est-" + run + "-" + s + "-" + i)));
            }
            csrs.add(own);
        }
        System.out.printf("prepared %d CSRs in %.1f s%n", csrCount, (System.nanoTime() - t0) / 1e9);

        Vertx vertx = Vertx.vertx();
        List<HttpClient> clients = new ArrayList<>();
        for (int s = 0; s < stations; s++) {
            AdminApi.StationCredential c = admin.createStation("bench-" + run + "-" + s, "est-" + run + "-" + s + "-[0-9]+");
            HttpClientOptions o = new HttpClientOptions()
                    .setSsl(true)
                    .setSslEngineOptions(new OpenSSLEngineOptions())
                    .setKeyCertOptions(new PemKeyCertOptions().setCertValue(Buffer.buffer(c.certificate() + c.chain())).setKeyValue(Buffer.buffer(c.key())))
                    .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(trust)))
                    .setKeepAlive(true)
                    .setDefaultHost(est.getHost())
                    .setDefaultPort(est.getPort());
            clients.add(vertx.createHttpClient(o, new PoolOptions().setHttp1MaxSize(inflight)));
        }

        long warmEnd = System.nanoTime() + warmup * 1_000_000_000L;
        long end = warmEnd + seconds * 1_000_000_000L;
        long[] latencies = new long[csrCount];
        AtomicInteger measured = new AtomicInteger();
        AtomicLong errors = new AtomicLong();
        AtomicLong firstError = new AtomicLong();
        StringBuilder firstErrorText = new StringBuilder();
        CountDownLatch done = new CountDownLatch(stations * inflight);
        long[] cpuAtWarmEnd = new long[2];
        vertx.setTimer(Math.max(1, (warmEnd - System.nanoTime()) / 1_000_000), t -> {
            cpuAtWarmEnd[0] = ownCpuNanos();
            cpuAtWarmEnd[1] = cpuNanos(serverPid);
        });
        String path = est.getPath() + "/simpleenroll";
        for (int s = 0; s < stations; s++) {
            HttpClient client = clients.get(s);
            List<Buffer> own = csrs.get(s);
            AtomicInteger next = new AtomicInteger();
            for (int k = 0; k < inflight; k++) {
                new Object() {
                    void go() {
                        int i = next.getAndIncrement();
                        long now = System.nanoTime();
                        if (now >= end || i >= own.size()) {
                            done.countDown();
                            return;
                        }
                        client.request(HttpMethod.POST, path)
                                .compose(req -> req.putHeader("Content-Type", "application/pkcs10")
                                        .putHeader("Content-Transfer-Encoding", "base64")
                                        .send(own.get(i)))
                                .compose(resp -> resp.body().map(b -> resp.statusCode()))
                                .onComplete(ar -> {
                                    long t = System.nanoTime();
                                    if (ar.succeeded() && ar.result() == 200) {
                                        if (now >= warmEnd && t <= end) {
                                            latencies[measured.getAndIncrement()] = t - now;
                                        }
                                    } else {
                                        errors.incrementAndGet();
                                        if (firstError.compareAndSet(0, 1)) {
                                            synchronized (firstErrorText) {
                                                firstErrorText.append(ar.succeeded() ? "HTTP " + ar.result() : ar.cause().toString());
                                            }
                                        }
                                    }
                                    go();
                                });
                    }
                }.go();
            }
        }
        done.await();
        long clientCpu = ownCpuNanos() - cpuAtWarmEnd[0];
        long serverCpu = cpuNanos(serverPid) - cpuAtWarmEnd[1];
        vertx.close().toCompletionStage().toCompletableFuture().get();

        int n = measured.get();
        long[] l = Arrays.copyOf(latencies, n);
        Arrays.sort(l);
        System.out.printf(Locale.ROOT, "enrollments: %d in %d s = %.0f certificates/s; latency p50 %.1f ms, p99 %.1f ms; errors %d%s%n",
                n, seconds, n / (double) seconds, pct(l, 0.50), pct(l, 0.99), errors.get(),
                firstErrorText.length() == 0 ? "" : " (first: " + firstErrorText + ")");
        if (n > 0) {
            System.out.printf(Locale.ROOT, "CPU per enrollment: client %.2f ms%s%n", clientCpu / 1e6 / n,
                    serverPid == 0 ? " (pass --server-pid PID for the server's)" : String.format(Locale.ROOT, ", server %.2f ms (= %.0f/s on %d cores if the server had them alone)",
                            serverCpu / 1e6 / n, Runtime.getRuntime().availableProcessors() * 1e9 / ((double) serverCpu / n), Runtime.getRuntime().availableProcessors()));
        }
    }

    private static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** utime + stime of another process from /proc, in nanoseconds (0 when unknown). */
    private static long cpuNanos(long pid) {
        if (pid <= 0) {
            return 0;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * 10_000_000L; // USER_HZ is 100 on Linux
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))] / 1e6;
    }

    private static String csr(String deviceId) throws Exception {
        KeyPair kp = KeyAlgorithm.EC_P256.generate();
        byte[] der = new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=" + deviceId), kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(CryptoProviders.fast()).build(kp.getPrivate()))
                .getEncoded();
        return Base64.getEncoder().encodeToString(der);
    }

    private static String arg(String[] args, String name, String dflt) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return dflt;
    }
}
