package dev.imprint.server.hub;

import dev.imprint.ca.Authority;
import dev.imprint.ca.Credential;
import dev.imprint.hub.Hub;
import dev.imprint.hub.HubBackend;
import dev.imprint.hub.HubSettings;
import dev.imprint.hub.StoreRevocationSource;
import dev.imprint.hub.telemetry.JsonLinesFileSink;
import dev.imprint.hub.telemetry.TelemetrySink;
import dev.imprint.hub.telemetry.WebhookSink;
import dev.imprint.hub.transport.ServerTls;
import dev.imprint.pki.Pem;
import dev.imprint.pki.validation.CertificateValidator;
import dev.imprint.server.PrivateFiles;
import dev.imprint.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The hub role of {@code imprint up} (and of {@code imprint hub --name NAME} alone): which hubs
 * run, their TLS credentials, the shared validator, the sinks, and the back end.
 *
 * <p>Configuration (environment): {@code IMPRINT_HUBS} = {@code name=address:port,...} (default
 * {@code hub-1=127.0.0.3:8883,hub-2=127.0.0.4:8883}; {@code none} for no hub);
 * {@code IMPRINT_HUB_TELEMETRY_FILE} a JSON-lines file; {@code IMPRINT_HUB_WEBHOOK} a URL.
 * Each hub's server credential (service CA, IP or DNS SAN of its address) is issued on first
 * start into {@code <data>/hubs/NAME.crt|.key}, where {@code imprint hub} finds it.
 */
public final class HubRole implements AutoCloseable {
    public static final String ENV_HUBS = "IMPRINT_HUBS";
    public static final String DEFAULT_HUBS = "hub-1=127.0.0.3:8883,hub-2=127.0.0.4:8883";

    private final List<Hub> hubs;
    private final HubBackend backend;

    private HubRole(List<Hub> hubs, Store store) {
        this.hubs = List.copyOf(hubs);
        this.backend = new HubBackend(store, hubs);
    }

    /** One configured hub. */
    public record Spec(String name, String address, int port) {
        /** {@code mqtts://address:port} as listed in endpoints.json. */
        public String mqtt() {
            return "mqtts://" + address + ":" + port;
        }
    }

    /** @throws IllegalArgumentException for a malformed IMPRINT_HUBS */
    public static List<Spec> specs(Map<String, String> env) {
        String v = env.getOrDefault(ENV_HUBS, DEFAULT_HUBS).trim();
        List<Spec> out = new ArrayList<>();
        if (v.isEmpty() || v.equalsIgnoreCase("none")) {
            return out;
        }
        for (String item : v.split(",")) {
            String[] nameAddr = item.trim().split("=", 2);
            int colon = nameAddr.length == 2 ? nameAddr[1].lastIndexOf(':') : -1;
            if (colon <= 0 || !nameAddr[0].matches("[A-Za-z0-9._-]{1,64}")) {
                throw new IllegalArgumentException(ENV_HUBS + ": '" + item + "' is not name=address:port");
            }
            out.add(new Spec(nameAddr[0], nameAddr[1].substring(0, colon), Integer.parseInt(nameAddr[1].substring(colon + 1))));
        }
        return out;
    }

    /** Starts every configured hub in this process, with the CA's revocations ending sessions at once. */
    public static HubRole startAll(Path dataDir, Map<String, String> env, Store store, Authority authority, MeterRegistry meters)
            throws IOException {
        List<Hub> started = new ArrayList<>();
        try {
            for (Spec s : specs(env)) {
                ensureCredential(dataDir, s, authority);
                started.add(start(dataDir, env, store, s, meters));
            }
        } catch (IOException | RuntimeException e) {
            started.forEach(Hub::close);
            throw e;
        }
        HubRole role = new HubRole(started, store);
        authority.revocation().addListener((ca, serial) -> role.backend.certificateRevoked(serial));
        return role;
    }

    /**
     * Starts one hub alone (another process than the CA): credentials and anchors from the data
     * folder written by {@code imprint up}; revocations reach it through the store poll.
     *
     * @throws IllegalArgumentException when no hub of that name is configured
     * @throws IOException when {@code imprint up} never ran on this data folder
     */
    public static HubRole startOne(Path dataDir, Map<String, String> env, Store store, String name, MeterRegistry meters) throws IOException {
        Spec spec = specs(env).stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no hub named " + name + " in " + ENV_HUBS + " (" + env.getOrDefault(ENV_HUBS, DEFAULT_HUBS) + ")"));
        return new HubRole(List.of(start(dataDir, env, store, spec, meters)), store);
    }

    private static Hub start(Path dataDir, Map<String, String> env, Store store, Spec s, MeterRegistry meters) throws IOException {
        Path pki = dataDir.resolve("pki");
        CertificateValidator validator = CertificateValidator.builder()
                .trustAnchor(Pem.readCertificate(pki.resolve("manufacturing.crt")))
                .trustAnchor(Pem.readCertificate(pki.resolve("operational.crt")))
                .revocation(StoreRevocationSource.of(store.certificates()))
                .build();
        List<X509Certificate> chain = Pem.readCertificates(dataDir.resolve("hubs").resolve(s.name() + ".crt"));
        PrivateKey key = Pem.readPrivateKey(dataDir.resolve("hubs").resolve(s.name() + ".key"), null);
        return Hub.start(HubSettings.of(s.name(), s.address(), s.address()).withPort(s.port()), store, validator,
                ServerTls.create(key, chain, true), sinks(env, s.name()), meters);
    }

    private static List<TelemetrySink> sinks(Map<String, String> env, String hub) throws IOException {
        List<TelemetrySink> out = new ArrayList<>();
        String file = env.get("IMPRINT_HUB_TELEMETRY_FILE");
        if (file != null && !file.isBlank()) {
            out.add(JsonLinesFileSink.open(Path.of(file.replace("{hub}", hub)), 100_000));
        }
        String hook = env.get("IMPRINT_HUB_WEBHOOK");
        if (hook != null && !hook.isBlank()) {
            out.add(WebhookSink.start(URI.create(hook), 100_000));
        }
        return out;
    }

    private static void ensureCredential(Path dataDir, Spec s, Authority authority) throws IOException {
        Path crt = dataDir.resolve("hubs").resolve(s.name() + ".crt");
        Path key = dataDir.resolve("hubs").resolve(s.name() + ".key");
        if (Files.exists(crt) && Files.exists(key)) {
            return;
        }
        boolean ip = s.address().matches("[0-9.]+") || s.address().contains(":");
        Credential c = authority.issueServerCertificate(s.name(), ip ? List.of() : List.of(s.address()), ip ? List.of(s.address()) : List.of());
        Files.createDirectories(crt.getParent());
        PrivateFiles.write(key, dev.imprint.pki.Pem.write(c.key()).getBytes(StandardCharsets.US_ASCII));
        PrivateFiles.writePublic(crt, Pem.write(c.fullChain().toArray()).getBytes(StandardCharsets.US_ASCII));
    }

    public HubBackend backend() {
        return backend;
    }

    public List<Hub> hubs() {
        return hubs;
    }

    @Override
    public void close() {
        hubs.forEach(Hub::close);
    }
}
