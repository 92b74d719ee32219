package dev.imprint.bench.console;

import dev.imprint.server.config.ConfigLoader;
import dev.imprint.server.console.ConsoleRoutes;
import dev.imprint.server.console.ConsoleSessions;
import dev.imprint.server.up.Node;
import dev.imprint.server.up.ServiceCredentials;
import dev.imprint.pki.Pem;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The console's list pages at scale: a SQLite store filled by bulk insert with {@code certs}
 * certificates (default 1,000,000) of {@code devices} devices (default 100,000) and as many
 * device records, then the JSON calls the console's pages make ({@code /console/api/...} with a
 * session cookie, over HTTPS, through the real server: routes, role check, store, JSON) timed
 * one after another, each page kind {@code rounds} times (default 200) at random pages or devices.
 * Prints p50 / p99 / max per page kind. Everything listens on 127.0.13.3 (free ports).
 *
 * <p>{@code java -Xmx2g -cp bench/target/benchmarks.jar dev.imprint.bench.console.ConsoleListLoad [certs] [devices] [rounds]}
 */
public final class ConsoleListLoad {
    private static final String ADDRESS = "127.0.13.3";

    public static void main(String[] args) throws Exception {
        int certs = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int devices = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        Path dir = Files.createTempDirectory("imprint-bench-console");
        Map<String, String> env = env();
        // first start: CA hierarchy, credentials, migrations (V13 included); then the bulk load into the closed store
        Node.start(ConfigLoader.load(dir, env), env).close();
        long t0 = System.nanoTime();
        fill(dir.resolve("imprint.db"), certs, devices);
        System.out.printf("filled %,d certificates and %,d devices in %.1f s%n", certs, devices, (System.nanoTime() - t0) / 1e9);

        try (Node server = Node.start(ConfigLoader.load(dir, env), env)) {
            ConsoleSessions sessions = new ConsoleSessions(server.store().consoleSessions(), Clock.systemUTC());
            String cookie = ConsoleRoutes.COOKIE + "=" + sessions.redeem(sessions.newLoginToken("admin:admin")).session().id();
            HttpClient http = client(ServiceCredentials.Files.in(dir).adminTrust());
            String base = server.endpoints().admin().replace("/api/v1", "") + ConsoleRoutes.API;
            Random random = new Random(42);
            Map<String, IntFunction<String>> pages = new LinkedHashMap<>();
            pages.put("certificates, first page", i -> "/certificates?limit=50&offset=0");
            pages.put("certificates, page 1-200", i -> "/certificates?limit=50&offset=" + 50 * random.nextInt(200));
            pages.put("certificates of a device", i -> "/certificates?limit=50&offset=0&device=" + device(random.nextInt(devices)));
            pages.put("devices, page 1-200", i -> "/dps/devices?limit=50&offset=" + 50 * random.nextInt(200));
            pages.put("devices of a hub, page 1-200", i -> "/dps/devices?limit=50&hub=hub-1&offset=" + 50 * random.nextInt(200));
            pages.put("registrations", i -> "/registrations?limit=200");
            pages.put("audit log", i -> "/audit");
            pages.put("overview (counts)", i -> "/overview");
            System.out.printf("%-32s %9s %9s %9s%n", "page (JSON call)", "p50 ms", "p99 ms", "max ms");
            for (Map.Entry<String, IntFunction<String>> page : pages.entrySet()) {
                for (int i = 0; i < 5; i++) {
                    get(http, base + page.getValue().apply(i), cookie); // warm-up
                }
                long[] ns = new long[rounds];
                for (int i = 0; i < rounds; i++) {
                    String url = base + page.getValue().apply(i);
                    long s = System.nanoTime();
                    get(http, url, cookie);
                    ns[i] = System.nanoTime() - s;
                }
                Arrays.sort(ns);
                System.out.printf("%-32s %9.1f %9.1f %9.1f%n", page.getKey(), ns[rounds / 2] / 1e6, ns[(int) Math.ceil(rounds * 0.99) - 1] / 1e6,
                        ns[rounds - 1] / 1e6);
            }
        }
    }

    private static String device(int i) {
        return String.format("dev-%07d", i);
    }

    /** {@code certs} certificates spread over {@code devices} devices (newest last), and the devices' records on hub-1 / hub-2. */
    private static void fill(Path db, int certs, int devices) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            c.setAutoCommit(false);
            long now = System.currentTimeMillis();
            byte[] der = new byte[400]; // rows of a realistic size; the lists do not parse it
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO certificates (serial, ca, device_id, kind, not_before,"
                    + " not_after, key_fingerprint, requested_by, issued_at, der) VALUES (?, 'manufacturing', ?, 'device', ?, ?, ?, 'bench', ?, ?)")) {
                for (int i = 1; i <= certs; i++) {
                    long issued = now - (certs - i) * 50L; // a factory's pace: 20 per second
                    ps.setString(1, String.format("5%039x", i));
                    ps.setString(2, device(i % devices));
                    ps.setLong(3, issued);
                    ps.setLong(4, issued + 365L * 86_400_000L);
                    ps.setString(5, String.format("%064x", i));
                    ps.setLong(6, issued);
                    ps.setBytes(7, der);
                    ps.addBatch();
                    if (i % 10_000 == 0) {
                        ps.executeBatch();
                    }
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO devices (device_id, hub, enabled, enrollment, tags_json, desired_json,"
                    + " status, substatus, cert_serial, version, created_at, updated_at) VALUES (?, ?, 1, 'default', '{}', '{}', 'assigned',"
                    + " 'initialAssignment', ?, 1, ?, ?)")) {
                for (int i = 0; i < devices; i++) {
                    ps.setString(1, device(i));
                    ps.setString(2, i % 2 == 0 ? "hub-1" : "hub-2");
                    ps.setString(3, String.format("5%039x", i + 1));
                    ps.setLong(4, now);
                    ps.setLong(5, now);
                    ps.addBatch();
                    if (i % 10_000 == 9_999) {
                        ps.executeBatch();
                    }
                }
                ps.executeBatch();
            }
            c.commit();
        }
    }

    private static void get(HttpClient http, String url, String cookie) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Cookie", cookie).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " -> " + r.statusCode() + " " + r.body());
        }
    }

    private static Map<String, String> env() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("IMPRINT_CA_PASSPHRASE", "bench-passphrase-not-secret");
        env.put("IMPRINT_PKI_ADDRESS", ADDRESS);
        env.put("IMPRINT_PKI_PORT", Integer.toString(freePort()));
        env.put("IMPRINT_HTTPS_ADDRESS", ADDRESS);
        env.put("IMPRINT_HTTPS_PORT", Integer.toString(freePort()));
        env.put("IMPRINT_DPS_HTTPS_ADDRESS", ADDRESS);
        env.put("IMPRINT_DPS_HTTPS_PORT", "0");
        env.put("IMPRINT_DPS_MQTT_PORT", "-1");
        env.put("IMPRINT_HUBS", "hub-1=" + ADDRESS + ":" + freePort() + ",hub-2=" + ADDRESS + ":" + freePort());
        env.put("IMPRINT_AWS_ENABLED", "false");
        return env;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(ADDRESS))) {
            return s.getLocalPort();
        }
    }

    private static HttpClient client(Path root) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("root", Pem.readCertificate(root));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1).build();
    }
}
