package dev.imprint.dps;

import dev.imprint.ca.Authority;
import dev.imprint.ca.CaException;
import dev.imprint.ca.CaSettings;
import dev.imprint.ca.Credential;
import dev.imprint.ca.IssuanceRequest;
import dev.imprint.ca.IssuedCertificate;
import dev.imprint.ca.hierarchy.CaHierarchy;
import dev.imprint.dps.registration.OperationalIssuer;
import dev.imprint.pki.CryptoProviders;
import dev.imprint.pki.KeyAlgorithm;
import dev.imprint.pki.validation.RevocationSource;
import dev.imprint.store.JdbcStore;
import dev.imprint.store.Store;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A real CA (Authority on an SQLite store in a temp folder), a DPS server credential for the
 * test addresses, and factory devices issued by the manufacturing CA.
 */
public final class DpsFixture implements AutoCloseable {
    public static final String ID_SCOPE = "0ne00TEST";
    static final String HOST = "127.0.0.12";

    final Path dir;
    public final Store store;
    public final Authority ca;
    final Credential server;

    /** A device: key, certificate, chain (issuing CA first, root last). */
    public record Device(String id, KeyPair key, X509Certificate cert, List<X509Certificate> chain) {
        public List<X509Certificate> tlsChain() {
            List<X509Certificate> c = new ArrayList<>();
            c.add(cert);
            c.addAll(chain);
            return c;
        }
    }

    public DpsFixture(Path dir) {
        CryptoProviders.install();
        this.dir = dir;
        this.store = JdbcStore.sqlite(dir.resolve("imprint.db"));
        this.ca = Authority.open(CaSettings.defaults(dir.resolve("pki"), "test-pass".toCharArray(), "http://127.0.0.1:8080"), store);
        this.server = ca.issueServerCertificate("dps", List.of("dps.imprint.test"), List.of(HOST, "127.0.0.13", "127.0.0.1"));
    }

    /** Operational certificates through this fixture's CA, as the server's in-process wiring does it. */
    public OperationalIssuer issuer() {
        return (current, csrDer) -> {
            try {
                IssuedCertificate c = ca.issue(IssuanceRequest.reenroll(current, csrDer));
                List<X509Certificate> out = new ArrayList<>();
                out.add(c.certificate());
                out.addAll(c.chain());
                return out;
            } catch (CaException e) {
                throw new OperationalIssuer.IssuanceRefused(e.code(), e.getMessage());
            }
        };
    }

    public X509Certificate manufacturing() {
        return ca.hierarchy().issuer(CaHierarchy.MANUFACTURING);
    }

    X509Certificate root() {
        return ca.hierarchy().root();
    }

    /** A device certificate from the manufacturing CA, as a factory station would have made it. */
    public Device device(String id) {
        return device(id, CaHierarchy.MANUFACTURING);
    }

    Device device(String id, String caName) {
        KeyPair kp = KeyAlgorithm.EC_P256.generate();
        IssuedCertificate c = ca.issue(IssuanceRequest.byAdmin("admin:test", caName, csr(kp, id)));
        return new Device(id, kp, c.certificate(), c.chain());
    }

    public static byte[] csr(KeyPair kp, String id) {
        try {
            return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + id), kp.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(CryptoProviders.bouncyCastle()).build(kp.getPrivate()))
                    .getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    RevocationSource revocation() {
        List<X509Certificate> own = new ArrayList<>();
        for (String n : ca.hierarchy().names()) {
            own.add(ca.hierarchy().issuer(n));
        }
        own.add(root());
        return new StoreRevocation(store.certificates(), own, RevocationSource.NONE);
    }

    public DpsSettings settings() {
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(server.certificate());
        chain.addAll(server.chain());
        return DpsSettings.defaults(ID_SCOPE, server.key(), chain, List.of(manufacturing()), revocation())
                .withHttps(HOST, 0)
                .withMqtt(HOST, -1);
    }

    @Override
    public void close() {
        ca.close();
        store.close();
    }
}
