package dev.imprint.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.pki.KeyAlgorithm;
import dev.imprint.pki.Pem;
import dev.imprint.server.up.Node;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.est.CACertsResponse;
import org.bouncycastle.est.ESTService;
import org.bouncycastle.est.EnrollmentResponse;
import org.bouncycastle.est.jcajce.JsseESTServiceBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bouncy Castle's EST client enrolls with a station certificate and re-enrolls with the device certificate. */
class BcEstClientIT {
    @TempDir
    static Path data;
    @TempDir
    static Path work;
    static Node server;

    @BeforeAll
    static void up() throws Exception {
        server = Fixture.start(data, Fixture.env());
        var r = Fixture.cli("station", "create", "line2", "--ids", "line2-.*", "--out", work.toString(), "--data", data.toString());
        assertThat(r.code()).as(r.all()).isZero();
    }

    @AfterAll
    static void down() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void bouncy_castle_est_client_enrolls_and_reenrolls_keeping_the_identity() throws Exception {
        ESTService asStation = est(keyManagers(Pem.readCertificates(work.resolve("station.crt")), Pem.readPrivateKey(work.resolve("station.key"), null)));
        CACertsResponse ca = asStation.getCACerts();
        assertThat(ca.getCertificateStore().getMatches(null)).isNotEmpty();

        KeyPair deviceKey = KeyAlgorithm.EC_P256.generate();
        EnrollmentResponse first = asStation.simpleEnroll(false, csr("line2-000042", deviceKey), null);
        X509Certificate device = leaf(first);
        assertThat(device.getSubjectX500Principal().getName()).contains("CN=line2-000042");
        assertThat(device.getPublicKey()).isEqualTo(deviceKey.getPublic());

        List<X509Certificate> deviceChain = new ArrayList<>(List.of(device));
        deviceChain.addAll(server.authority().hierarchy().chain("manufacturing"));
        ESTService asDevice = est(keyManagers(deviceChain, deviceKey.getPrivate()));
        KeyPair newKey = KeyAlgorithm.EC_P256.generate();
        EnrollmentResponse renewed = asDevice.simpleEnroll(true, csr("line2-000042", newKey), null);
        X509Certificate second = leaf(renewed);
        assertThat(second.getSubjectX500Principal().getName()).contains("CN=line2-000042");
        assertThat(second.getPublicKey()).isEqualTo(newKey.getPublic());
        assertThat(second.getIssuerX500Principal()).isEqualTo(server.authority().hierarchy().issuer("operational").getSubjectX500Principal());
    }

    private static X509Certificate leaf(EnrollmentResponse r) throws Exception {
        assertThat(r.isCompleted()).isTrue();
        @SuppressWarnings("unchecked")
        Collection<X509CertificateHolder> certs = r.getStore().getMatches(null);
        for (X509CertificateHolder h : certs) {
            X509Certificate c = new JcaX509CertificateConverter().getCertificate(h);
            if (c.getBasicConstraints() < 0) {
                return c;
            }
        }
        throw new AssertionError("no end-entity certificate in the enrollment response");
    }

    private static PKCS10CertificationRequest csr(String deviceId, KeyPair kp) throws Exception {
        return new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=" + deviceId), kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
    }

    private static KeyManager[] keyManagers(List<X509Certificate> chain, PrivateKey key) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("client", key, new char[0], chain.toArray(X509Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        return kmf.getKeyManagers();
    }

    private static ESTService est(KeyManager[] km) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("root", server.authority().hierarchy().root());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        URI est = URI.create(server.endpoints().est());
        return new JsseESTServiceBuilder(est.getHost() + ":" + est.getPort(), (X509TrustManager) tmf.getTrustManagers()[0])
                .withKeyManagers(km)
                .withTimeout(10_000)
                .build();
    }
}
