package dev.imprint.ca.hierarchy;

import dev.imprint.ca.issuance.Serials;
import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Builds the root and issuing CA certificates (Bouncy Castle builder: not a hot path). */
final class CaCertificates {
    private CaCertificates() {}

    static X500Name name(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "Imprint")
                .addRDN(BCStyle.CN, commonName)
                .build();
    }

    /** A self-signed root: pathLen 1 (root, issuing CA, leaf). */
    static X509Certificate root(X500Name subject, PublicKey pub, PrivateKey key, Provider provider, Duration validity) {
        return build(subject, subject, pub, null, key, provider, validity, 1);
    }

    /** An issuing CA: pathLen 0, keyCertSign and cRLSign only. */
    static X509Certificate issuing(X500Name subject, PublicKey pub, X509Certificate root, PrivateKey rootKey,
                                   Provider provider, Duration validity) {
        return build(X500Name.getInstance(root.getSubjectX500Principal().getEncoded()), subject, pub, root,
                rootKey, provider, validity, 0);
    }

    private static X509Certificate build(X500Name issuer, X500Name subject, PublicKey pub, X509Certificate issuerCert,
                                         PrivateKey signingKey, Provider provider, Duration validity, int pathLen) {
        try {
            Instant now = Instant.now();
            BigInteger serial = Serials.random();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial,
                    Date.from(now.minusSeconds(60)), Date.from(now.plus(validity)), subject, pub);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLen));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pub));
            if (issuerCert != null) {
                b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuerCert));
            }
            PublicKey signerPub = issuerCert != null ? issuerCert.getPublicKey() : pub;
            var signer = new JcaContentSignerBuilder(SignatureAlgorithms.forKey(signerPub)).setProvider(provider).build(signingKey);
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (Exception e) {
            throw new IllegalStateException("cannot build CA certificate " + subject, e);
        }
    }
}
