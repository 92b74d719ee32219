package dev.imprint.server.up;

import dev.imprint.ca.Authority;
import dev.imprint.ca.Credential;
import dev.imprint.ca.hierarchy.CaHierarchy;
import dev.imprint.dps.DpsSettings;
import dev.imprint.mqtt.proxy.Balancers;
import dev.imprint.dps.ProvisioningService;
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

    /** The "dps" entry of endpoints.json: https, mqtt, idScope. */
    public static Map<String, String> endpoints(ProvisioningService dps) {
        Map<String, String> m = new LinkedHashMap<>();
        DpsSettings s = dps.settings();
        m.put("https", "https://" + s.httpsHost() + ":" + dps.httpsPort());
        if (s.mqttPort() >= 0) {
            m.put("mqtt", s.mqttUrl());
        }
        m.put("idScope", s.idScope());
        return m;
    }

    /**
     * Starts the service for {@code imprint up}; a failure (a port in use) is logged and the rest
     * of Imprint runs on without DPS (null).
     */
    public static ProvisioningService startInUp(Path dataDir, ImprintConfig.Dps config, List<ImprintConfig.Hub> hubs, Authority authority,
            Store store, Balancers balancers) {
        if (!config.enabled()) {
            return null;
        }
        try {
            return start(dataDir, config, hubs, authority, store, balancers);
        } catch (RuntimeException e) {
            LOG.error("event=dps.unavailable msg=\"{}\" hint=\"set dps.https.port / dps.mqtt.port (IMPRINT_DPS_HTTPS_PORT / IMPRINT_DPS_MQTT_PORT),"
                    + " or dps.enabled: false (IMPRINT_DPS=off)\"", e.getMessage());
            return null;
        }
    }

    /**
     * @param hubs the configured hubs: on first run they become the DPS's hub records and the default enrollment's hubs
     * @param balancers {@code cluster.balancers}: the TCP balancers in front of both device APIs
     * @throws IllegalStateException when an address cannot be bound
     */
    public static ProvisioningService start(Path dataDir, ImprintConfig.Dps config, List<ImprintConfig.Hub> hubs, Authority authority,
            Store store, Balancers balancers) {
        String httpsHost = config.https().address();
        int httpsPort = config.https().port();
        String mqttHost = config.mqtt().address();
        int mqttPort = config.mqtt().port();
        CaHierarchy h = authority.hierarchy();
        // a fresh server certificate per start from the service CA, for exactly the addresses in use
        Credential server = authority.issueServerCertificate("dps", List.of(), List.of(httpsHost, mqttHost));
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(server.certificate());
        chain.addAll(server.chain());
        List<X509Certificate> own = new ArrayList<>();
        for (String n : h.names()) {
            own.add(h.issuer(n));
        }
        own.add(h.root());
        // devices of other configured CAs would need a CRL source; none are configured yet, so they fail closed
        RevocationSource revocation = new StoreRevocation(store.certificates(), own,
                (cert, issuer, at) -> dev.imprint.pki.validation.RevocationStatus.unknown(
                        dev.imprint.pki.validation.ReasonCode.CRL_UNAVAILABLE, "no CRL source for this CA"));
        DpsSettings settings = DpsSettings.defaults(idScope(dataDir, config.idScope()), server.key(), chain,
                        List.of(h.issuer(CaHierarchy.MANUFACTURING)), revocation)
                .withHttps(httpsHost, httpsPort)
                .withMqtt(mqttHost, mqttPort)
                .withRateLimits(config.perSecond(), config.perDevicePerMinute())
                .withBalancers(balancers);
        ProvisioningService dps = ProvisioningService.create(settings, store, new AuthorityIssuer(authority));
        java.time.Instant now = java.time.Instant.now();
        dps.ensureDefaults(h.issuer(CaHierarchy.MANUFACTURING), hubs.isEmpty() ? ProvisioningService.DEFAULT_HUBS
                : hubs.stream().map(c -> new dev.imprint.store.HubRecord(c.name(), c.hostname(), c.mqtt(), null, 100, now)).toList());
        try {
            dps.listen();
        } catch (RuntimeException e) {
            dps.close();
            throw e;
        }
        LOG.info("event=dps.up https={} mqtt={} idScope={}", settings.httpsUrl().replace(":" + httpsPort, ":" + dps.httpsPort()),
                mqttPort >= 0 ? settings.mqttUrl() : "off", settings.idScope());
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
