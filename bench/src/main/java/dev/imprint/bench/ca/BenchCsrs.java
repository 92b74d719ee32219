package dev.imprint.bench.ca;

import dev.imprint.pki.CryptoProviders;
import dev.imprint.pki.KeyAlgorithm;
import java.security.KeyPair;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Pre-made device CSRs (EC P-256): making them is the devices' work, not the CA's. */
final class BenchCsrs {
    private BenchCsrs() {}

    static byte[][] make(String prefix, int n) throws Exception {
        CryptoProviders.install();
        KeyPair[] keys = new KeyPair[16];
        ContentSigner[] signers = new ContentSigner[keys.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = KeyAlgorithm.EC_P256.generate();
            signers[i] = new JcaContentSignerBuilder("SHA256withECDSA").setProvider(CryptoProviders.fast()).build(keys[i].getPrivate());
        }
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
            int k = i % keys.length;
            out[i] = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + prefix + i), keys[k].getPublic())
                    .build(signers[k]).getEncoded();
        }
        return out;
    }
}
