package dev.imprint.bench.dps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.ca.Authority;
import dev.imprint.ca.CaSettings;
import dev.imprint.ca.IssuanceRequest;
import dev.imprint.ca.IssuedCertificate;
import dev.imprint.pki.CryptoProviders;
import dev.imprint.pki.KeyAlgorithm;
import dev.imprint.pki.Pem;
import dev.imprint.store.JdbcStore;
import dev.imprint.store.Store;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Full DPS registrations per second over new mutual-TLS connections, against a running
 * {@code imprint up}, compared in the same run and with the same client with bare mutual-TLS
 * handshakes against {@code openssl s_server} using the same server certificate and the same
 * device certificates. Each DPS connection: full handshake (the client invalidates every
 * session, so nothing resumes), {@code PUT .../register} (validation, enrollment, allocation,
 * durable record in the registry and its history), the 202 answer, close. Each s_server
 * connection: full handshake, close. With {@code --server-pid} it prints the server's CPU time
 * per registration (from /proc), and s_server's per handshake.
 *
 * <p>Usage: {@code DpsLoad --data DIR [--devices 200] [--threads 8] [--seconds 10] [--warmup 3]
 * [--server-pid PID] [--openssl-address 127.0.0.1] [--openssl-port 19444]}. Start the server with {@code IMPRINT_DPS_RATE=0
 * IMPRINT_DPS_DEVICE_RATE=0} (no rate limits) for the measurement.
 */
public final class DpsLoad {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Device(String id, SSLContext ctx) {}

    /** One operation of a leg on a device; false or an exception counts as failed. */
    interface Op {
        boolean once(Device dev) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(arg(args, "--data", "imprint-data"));
        int devices = Integer.parseInt(arg(args, "--devices", "200"));
        int threads = Integer.parseInt(arg(args, "--threads", "8"));
        int seconds = Integer.parseInt(arg(args, "--seconds", "10"));
        int warmup = Integer.parseInt(arg(args, "--warmup", "3"));
        long serverPid = Long.parseLong(arg(args, "--server-pid", "0"));
        int opensslPort = Integer.parseInt(arg(args, "--openssl-port", "19444"));
        String opensslAddress = arg(args, "--openssl-address", "127.0.0.1");

        JsonNode endpoints = JSON.readTree(data.resolve("endpoints.json").toFile());
        URI dps = URI.create(endpoints.path("dps").path("https").asText());
        String scope = endpoints.path("dps").path("idScope").asText();
        X509Certificate root = Pem.readCertificate(Path.of(endpoints.path("trust").asText()));
        List<Device> fleet = makeDevices(data, devices, root);
        System.out.printf("%d devices issued by the manufacturing CA; %d client threads; JDK TLS client%n", devices, threads);

        InetSocketAddress dpsAt = new InetSocketAddress(dps.getHost(), dps.getPort());
        Result d = run("imprint DPS (full registration)", fleet, threads, warmup, seconds, serverPid, dev -> once(dev, dpsAt, scope));
        Process s = new ProcessBuilder("openssl", "s_server", "-accept", opensslAddress + ":" + opensslPort, "-cert",
                data.resolve("tls/server.crt").toString(),
                "-cert_chain", data.resolve("tls/server.crt").toString(), "-key", data.resolve("tls/server.key").toString(),
                "-CAfile", endpoints.path("trust").asText(), "-Verify", "3", "-quiet")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Thread.sleep(1000);
        Result o;
        try {
            InetSocketAddress sslAt = new InetSocketAddress(opensslAddress, opensslPort);
            o = run("openssl s_server (bare handshake)", fleet, threads, warmup, seconds, s.pid(), dev -> once(dev, sslAt, null));
        } finally {
            s.destroy();
        }
        System.out.printf("%nratio DPS registrations / s_server handshakes: %.0f%%; server CPU per op: %.2f ms vs %.2f ms%n",
                100.0 * d.rate / o.rate, d.serverCpuMs, o.serverCpuMs);
    }

    record Result(double rate, double serverCpuMs) {}

    static Result run(String name, List<Device> fleet, int threads, int warmup, int seconds, long serverPid, Op op) throws Exception {
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong next = new AtomicLong();
        long end = System.nanoTime() + (long) (warmup + seconds) * 1_000_000_000L;
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                while (System.nanoTime() < end) {
                    Device dev = fleet.get((int) (next.getAndIncrement() % fleet.size()));
                    try {
                        if (op.once(dev)) {
                            ok.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }
            });
            th.start();
            ts.add(th);
        }
        Thread.sleep(warmup * 1000L);
        long ok0 = ok.get();
        long srv0 = cpuNanos(serverPid);
        long cli0 = clientCpuNanos();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long n = ok.get() - ok0;
        double secs = (System.nanoTime() - t0) / 1e9;
        long srv = cpuNanos(serverPid) - srv0;
        long cli = clientCpuNanos() - cli0;
        for (Thread th : ts) {
            th.join();
        }
        double rate = n / secs;
        double srvMs = serverPid > 0 && n > 0 ? srv / 1e6 / n : Double.NaN;
        System.out.printf("%-36s %8.0f /s  (%d in %.1f s, %d failed)  server CPU %.2f ms/op  client CPU %.2f ms/op%n",
                name, rate, n, secs, failed.get(), srvMs, n > 0 ? cli / 1e6 / n : Double.NaN);
        return new Result(rate, srvMs);
    }

    /** One new connection: handshake, then (DPS) one register request and its answer; close. */
    static boolean once(Device dev, InetSocketAddress target, String scope) throws Exception {
        try (SSLSocket s = (SSLSocket) dev.ctx.getSocketFactory().createSocket()) {
            s.connect(target, 5000);
            s.setSoTimeout(10_000);
            s.startHandshake();
            s.getSession().invalidate(); // never resume: every connection is a full handshake
            if (scope == null) {
                return true;
            }
            byte[] body = ("{\"registrationId\":\"" + dev.id + "\"}").getBytes(StandardCharsets.UTF_8);
            String req = "PUT /" + scope + "/registrations/" + dev.id + "/register?api-version=2021-06-01 HTTP/1.1\r\n"
                    + "Host: " + target.getHostString() + "\r\nContent-Type: application/json; charset=utf-8\r\n"
                    + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
            OutputStream out = s.getOutputStream();
            out.write(req.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] head = in.readNBytes(12);
            return new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 202");
        }
    }

    static List<Device> makeDevices(Path data, int n, X509Certificate root) throws Exception {
        CryptoProviders.install();
        char[] pass = Files.readString(data.resolve("secrets/ca-passphrase")).trim().toCharArray();
        List<Device> out = new ArrayList<>();
        String run = Long.toHexString(System.nanoTime());
        try (Store store = JdbcStore.sqlite(data.resolve("imprint.db"));
                Authority ca = Authority.open(CaSettings.defaults(data.resolve("pki"), pass, "http://127.0.0.1:8080"), store)) {
            for (int i = 0; i < n; i++) {
                String id = "bench-dps-" + run + "-" + i;
                KeyPair kp = KeyAlgorithm.EC_P256.generate();
                byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + id), kp.getPublic())
                        .build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(CryptoProviders.bouncyCastle())
                                .build(kp.getPrivate())).getEncoded();
                IssuedCertificate c = ca.issue(IssuanceRequest.byAdmin("admin:bench", "manufacturing", csr));
                out.add(new Device(id, context(kp, c.certificate(), c.chain().get(0), root)));
            }
        }
        return out;
    }

    private static SSLContext context(KeyPair kp, X509Certificate leaf, X509Certificate issuer, X509Certificate root) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("d", kp.getPrivate(), "x".toCharArray(), new X509Certificate[] {leaf, issuer});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "x".toCharArray());
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", root);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    private static long clientCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** utime + stime of another process from /proc, in nanoseconds (0 when unknown). */
    private static long cpuNanos(long pid) {
        if (pid <= 0) {
            return 0;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L; // USER_HZ 100
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    static String arg(String[] args, String name, String dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return dflt;
    }
}
