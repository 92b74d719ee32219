package dev.imprint.ca;

import dev.imprint.pki.CryptoProviders;
import dev.imprint.pki.KeyAlgorithm;
import dev.imprint.store.JdbcStore;
import dev.imprint.store.Store;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** A CA on a real SQLite file store in a temp folder, and CSR helpers. */
final class CaFixture implements AutoCloseable {
    static final char[] PASS = "test-passphrase".toCharArray();
    final Path dir;
    final Store store;
    final Authority ca;

    CaFixture(Path dir) {
        this(dir, CaSettings.defaults(dir.resolve("pki"), PASS, "http://127.0.0.1:8080"));
    }

    CaFixture(Path dir, CaSettings settings) {
        CryptoProviders.install();
        this.dir = dir;
        try {
            java.nio.file.Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        this.store = JdbcStore.sqlite(dir.resolve("imprint.db"));
        this.ca = Authority.open(settings, store);
    }

    /** Reopens CA and store on the same folder. */
    CaFixture reopen() {
        close();
        return new CaFixture(dir);
    }

    static KeyPair ec256() {
        return KeyAlgorithm.EC_P256.generate();
    }

    static KeyPair ec(String curve) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC", CryptoProviders.bouncyCastle());
        g.initialize(new ECGenParameterSpec(curve));
        return g.generateKeyPair();
    }

    static KeyPair rsa(int bits) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(bits);
        return g.generateKeyPair();
    }

    static byte[] csr(String deviceId) {
        return csr(ec256(), "SHA256withECDSA", "CN=" + deviceId, null);
    }

    static byte[] csr(KeyPair kp, String sigAlg, String subject, Extensions ext) {
        try {
            var b = new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), kp.getPublic());
            if (ext != null) {
                b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext);
            }
            return b.build(new JcaContentSignerBuilder(sigAlg).setProvider(CryptoProviders.bouncyCastle()).build(kp.getPrivate()))
                    .getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Extensions san(GeneralName... names) throws Exception {
        return new Extensions(new Extension(Extension.subjectAlternativeName, false, new GeneralNames(names).getEncoded()));
    }

    @Override
    public void close() {
        ca.close();
        store.close();
    }
}
