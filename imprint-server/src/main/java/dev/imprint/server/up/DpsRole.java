package dev.imprint.server.up;

import dev.imprint.ca.Authority;
import dev.imprint.ca.Credential;
import dev.imprint.ca.hierarchy.CaHierarchy;
import dev.imprint.dps.DpsSettings;
import dev.imprint.mqtt.proxy.Balancers;
import dev.imprint.dps.ProvisioningService;
import dev.imprint.dps.registration.OperationalIssuer;
import dev.imprint.pki.Pem;
import dev.imprint.dps.StoreRevocation;
import dev.imprint.pki.validation.RevocationSource;
import dev.imprint.server.PrivateFiles;
import dev.imprint.server.config.ImprintConfig;
import dev.imprint.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the provisioning service into {@code imprint up} and {@code imprint dps}: settings from
 * the {@code dps} section of the configuration ({@link ImprintConfig.Dps}: file keys
 * {@code dps.*}, environment {@code IMPRINT_DPS_*}), a server certificate from the service CA for
 * the DPS addresses, the manufacturing CA as attestation anchor with revocation from the CA's
 * store, operational certificates through the CA, and on first run the default hubs and
 * enrollment. Without {@code dps.idScope} the scope is generated once into
 * {@code <data>/dps/id-scope}.
 */
public final class DpsRole {
    private static final Logger LOG = LoggerFactory.getLogger(DpsRole.class);

    private DpsRole() {}

    /** The "dps" entry of endpoints.json (https, mqtt, idScope): the public addresses, the bound HTTPS port when it was 0. */
    public static Map<String, String> endpoints(ImprintConfig config, ProvisioningService dps) {
        Map<String, String> m = new LinkedHashMap<>();
        ImprintConfig.Dps c = config.dps();
        int port = c.https().port() == 0 && dps.httpsPort() > 0 ? dps.httpsPort() : c.https().port();
        m.put("https", "https://" + new ImprintConfig.Listener(c.https().address(), port).hostPort());
        if (c.mqtt().port() >= 0) {
            m.put("mqtt", "mqtts://" + c.mqtt().hostPort());
        }
        m.put("idScope", dps.settings().idScope());
        return m;
    }

    /**
     * Starts the service for {@code imprint up}; a failure (a port in use) is logged and the rest
     * of Imprint runs on without DPS (null).
     */
    public static ProvisioningService startInUp(ImprintConfig config, Authority authority, Store store) {
        return startInUp(config, authority, store, () -> 1);
    }

    private static ProvisioningService startInUp(ImprintConfig config, Authority authority, Store store, java.util.function.IntSupplier liveDpsNodes) {
        if (!config.dps().enabled()) {
            return null;
        }
        try {
            return start(config, authority, store, liveDpsNodes);
        } catch (RuntimeException e) {
            LOG.error("event=dps.unavailable msg=\"{}\" hint=\"set dps.https.port / dps.mqtt.port (IMPRINT_DPS_HTTPS_PORT / IMPRINT_DPS_MQTT_PORT),"
                    + " or dps.enabled: false (IMPRINT_DPS=off)\"", e.getMessage());
            return null;
        }
    }

    /**
     * Starts the device APIs on this node's bind addresses.
     *
     * @param authority the CA in this process, or null on a node without the ca role: then the
     *     server credential is the one a CA node wrote ({@link NodeCredentials}) and operational
     *     certificates come from a CA node over HTTPS ({@link RemoteIssuer})
     * @throws IllegalStateException when an address cannot be bound or a credential is missing
     */
    public static ProvisioningService start(ImprintConfig config, Authority authority, Store store) {
        return start(config, authority, store, () -> 1);
    }

    /** @param liveDpsNodes how many DPS nodes share the service-wide rate (the node table's count) */
    public static ProvisioningService start(ImprintConfig config, Authority authority, Store store, java.util.function.IntSupplier liveDpsNodes) {
        ProvisioningService dps = create(config, authority, store, liveDpsNodes);
        try {
            dps.listen();
        } catch (RuntimeException e) {
            dps.close();
            throw e;
        }
        DpsSettings settings = dps.settings();
        LOG.info("event=dps.up https={}:{} mqtt={} idScope={}", settings.httpsHost(), dps.httpsPort(),
                settings.mqttPort() >= 0 ? settings.mqttUrl() : "off", settings.idScope());
        return dps;
    }

    /** The service's model (enrollments, hubs) without device listeners: the admin API's view on a node without the dps role. */
    public static ProvisioningService adminOnly(ImprintConfig config, Authority authority, Store store) {
        return create(config, authority, store, () -> 1);
    }

    private static ProvisioningService create(ImprintConfig config, Authority authority, Store store, java.util.function.IntSupplier liveDpsNodes) {
        ImprintConfig.Dps c = config.dps();
        ImprintConfig.Listener httpsAt = config.cluster().bind(c.https());
        ImprintConfig.Listener mqttAt = config.cluster().bind(c.mqtt());
        Path pki = config.dataDir().resolve("pki");
        X509Certificate manufacturing;
        List<X509Certificate> own = new ArrayList<>();
        NodeCredentials.Pair server;
        OperationalIssuer issuer;
        try {
            if (authority != null) {
                CaHierarchy h = authority.hierarchy();
                manufacturing = h.issuer(CaHierarchy.MANUFACTURING);
                for (String n : h.names()) {
                    own.add(h.issuer(n));
                }
                own.add(h.root());
                // a fresh server certificate per start from the service CA, for exactly the public addresses
                Credential cred = authority.issueServerCertificate("dps", List.of(), List.of(c.https().address(), c.mqtt().address()));
                List<X509Certificate> chain = new ArrayList<>();
                chain.add(cred.certificate());
                chain.addAll(cred.chain());
                server = new NodeCredentials.Pair(cred.key(), chain);
                issuer = new AuthorityIssuer(authority);
            } else {
                manufacturing = Pem.readCertificate(pki.resolve(CaHierarchy.MANUFACTURING + ".crt"));
                for (String n : List.of(CaHierarchy.MANUFACTURING, "operational", "service")) {
                    own.add(Pem.readCertificate(pki.resolve(n + ".crt")));
                }
                own.add(Pem.readCertificate(pki.resolve("root.crt")));
                server = NodeCredentials.dpsServer(config.dataDir());
                issuer = RemoteIssuer.forNode(config);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the DPS credentials under " + config.dataDir()
                    + " (a node with the ca role writes them on its first start): " + e.getMessage(), e);
        }
        // devices of other configured CAs would need a CRL source; none are configured yet, so they fail closed
        RevocationSource revocation = new StoreRevocation(store.certificates(), own,
                (cert, issuerCert, at) -> dev.imprint.pki.validation.RevocationStatus.unknown(
                        dev.imprint.pki.validation.ReasonCode.CRL_UNAVAILABLE, "no CRL source for this CA"));
        DpsSettings settings = DpsSettings.defaults(idScope(config.dataDir(), c.idScope()), server.key(), server.chain(),
                        List.of(manufacturing), revocation)
                .withHttps(httpsAt.address(), httpsAt.port())
                .withMqtt(mqttAt.address(), mqttAt.port())
                .withRateLimits(c.perSecond(), c.perDevicePerMinute())
                .withConnectionsPerSource(c.connectionsPerSource())
                .withLiveDpsNodes(liveDpsNodes)
                .withBalancers(config.balancers())
                .withRequestDeadline(config.https().requestDeadline());
        ProvisioningService dps = ProvisioningService.create(settings, store, issuer);
        java.time.Instant now = java.time.Instant.now();
        List<ImprintConfig.Hub> hubs = config.hubs();
        dps.ensureDefaults(manufacturing, hubs.isEmpty() ? ProvisioningService.DEFAULT_HUBS
                : hubs.stream().map(h -> new dev.imprint.store.HubRecord(h.name(), h.hostname(), h.mqtt(), null, 100, now)).toList());
        return dps;
    }

    private static String idScope(Path dataDir, String configured) {
        if (configured != null) {
            return configured;
        }
        Path file = dataDir.resolve("dps").resolve("id-scope");
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.US_ASCII).trim();
            }
            byte[] r = new byte[4];
            new SecureRandom().nextBytes(r);
            String scope = "0ne" + HexFormat.of().withUpperCase().formatHex(r);
            Files.createDirectories(file.getParent());
            PrivateFiles.writePublic(file, scope.getBytes(StandardCharsets.US_ASCII));
            return scope;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read or write " + file + ": " + e.getMessage(), e);
        }
    }
}
