package dev.imprint.server.up;

import dev.imprint.ca.Authority;
import dev.imprint.ca.Credential;
import dev.imprint.pki.Pem;
import dev.imprint.server.PrivateFiles;
import dev.imprint.server.config.ImprintConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credentials {@code imprint up} needs besides the CA: the TLS server certificate of its
 * endpoints ({@code <data>/tls/}) and the admin client credential the CLI uses
 * ({@code <data>/admin/}). Issued on first run; reused afterwards while they still chain to the
 * current service CA, are not near expiry and (server) cover every configured name.
 */
public final class ServiceCredentials {
    /** Every address of the endpoint map in the product brief; all on the loopback interface. */
    public static final List<String> ENDPOINT_IPS = List.of("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4");
    private static final Logger LOG = LoggerFactory.getLogger(ServiceCredentials.class);
    private static final Duration RENEW_BEFORE = Duration.ofDays(14);

    /** Paths of the files this class maintains. */
    public record Files(Path serverCert, Path serverKey, Path adminCert, Path adminKey, Path adminTrust) {
        public static Files in(Path dataDir) {
            Path tls = dataDir.resolve("tls");
            Path admin = dataDir.resolve("admin");
            return new Files(tls.resolve("server.crt"), tls.resolve("server.key"),
                    admin.resolve("admin.crt"), admin.resolve("admin.key"), admin.resolve("trust.crt"));
        }
    }

    private ServiceCredentials() {}

    /** Makes sure both credentials exist and are usable; returns their paths. */
    public static Files ensure(Authority authority, ImprintConfig config) throws IOException {
        Files f = Files.in(config.dataDir());
        X509Certificate serviceCa = authority.hierarchy().issuer("service");
        Set<String> ips = new LinkedHashSet<>(ENDPOINT_IPS);
        Set<String> dns = new LinkedHashSet<>(List.of("localhost"));
        for (String addr : List.of(config.https().listener().address(), config.pki().address())) {
            (addr.matches("[0-9.]+") || addr.contains(":") ? ips : dns).add(addr);
        }
        dns.addAll(config.https().dnsNames());
        if (!usable(f.serverCert(), serviceCa, new ArrayList<>(dns), new ArrayList<>(ips))) {
            Credential c = authority.issueServerCertificate("imprint", List.copyOf(dns), List.copyOf(ips));
            write(c, f.serverCert(), f.serverKey());
            LOG.info("event=tls.server_cert.issued serial={} dns={} ip={}", c.certificate().getSerialNumber().toString(16), dns, ips);
        }
        if (!usable(f.adminCert(), serviceCa, List.of(), List.of()) || !java.nio.file.Files.exists(f.adminKey())) {
            Credential c = authority.issueAdminCredential("admin");
            write(c, f.adminCert(), f.adminKey());
            LOG.info("event=admin.credential.issued serial={} path={}", c.certificate().getSerialNumber().toString(16), f.adminCert().getParent());
        }
        PrivateFiles.writePublic(f.adminTrust(), Pem.write(authority.hierarchy().root()).getBytes(StandardCharsets.US_ASCII));
        return f;
    }

    static void write(Credential c, Path certFile, Path keyFile) throws IOException {
        PrivateFiles.write(keyFile, dev.imprint.pki.Pem.write(c.key()).getBytes(StandardCharsets.US_ASCII));
        PrivateFiles.writePublic(certFile, Pem.write(c.fullChain()).getBytes(StandardCharsets.US_ASCII));
    }

    static boolean usable(Path certFile, X509Certificate serviceCa, List<String> dns, List<String> ips) {
        if (!java.nio.file.Files.exists(certFile)) {
            return false;
        }
        try {
            X509Certificate cert = Pem.readCertificate(certFile);
            cert.verify(serviceCa.getPublicKey());
            if (cert.getNotAfter().toInstant().isBefore(Instant.now().plus(RENEW_BEFORE))) {
                return false;
            }
            Set<String> have = new HashSet<>();
            if (cert.getSubjectAlternativeNames() != null) {
                cert.getSubjectAlternativeNames().forEach(s -> have.add(String.valueOf(s.get(1))));
            }
            return have.containsAll(dns) && have.containsAll(ips);
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            LOG.warn("event=credential.unusable path={} msg=\"{}\"; issuing a new one", certFile, e.toString());
            return false;
        }
    }

}
