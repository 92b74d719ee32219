package dev.imprint.pki.validation;

import static dev.imprint.pki.validation.CertificateValidatorTest.accepted;
import static dev.imprint.pki.validation.CertificateValidatorTest.refused;
import static dev.imprint.pki.validation.PathCheckerTest.bc;
import static dev.imprint.pki.validation.PathCheckerTest.future;
import static dev.imprint.pki.validation.PathCheckerTest.ku;
import static dev.imprint.pki.validation.PathCheckerTest.past;
import static dev.imprint.pki.validation.PathCheckerTest.request;
import static dev.imprint.pki.validation.PathCheckerTest.san;
import static dev.imprint.pki.validation.PathCheckerTest.trusting;
import static dev.imprint.pki.validation.PathCheckerTest.uri;
import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.pki.CryptoProviders;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.DSAPublicKey;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** RFC 5280 6.1.4 (f): a DSA key certified without domain parameters inherits them from its issuer's key. */
class DsaInheritanceTest {
    static KeyPair rootDsa;
    static KeyPair midDsa;
    static KeyPair otherDsa;
    static X509Certificate root;
    static X509Certificate bareMid;

    @BeforeAll
    static void keys() throws Exception {
        PathCheckerTest.keys();
        KeyPairGenerator g = KeyPairGenerator.getInstance("DSA");
        g.initialize(2048);
        rootDsa = g.generateKeyPair();
        KeyPairGenerator same = KeyPairGenerator.getInstance("DSA");
        java.security.interfaces.DSAParams p = ((DSAPublicKey) rootDsa.getPublic()).getParams();
        same.initialize(new java.security.spec.DSAParameterSpec(p.getP(), p.getQ(), p.getG()));
        midDsa = same.generateKeyPair();
        otherDsa = same.generateKeyPair();
        root = cert("CN=DSA Root", spki(rootDsa, true), "CN=DSA Root", rootDsa.getPrivate(), bc(true, -1), ku(KeyUsage.keyCertSign));
        bareMid = cert("CN=DSA Mid", spki(midDsa, false), "CN=DSA Root", rootDsa.getPrivate(), bc(true, -1), ku(KeyUsage.keyCertSign));
    }

    /** The key's SubjectPublicKeyInfo, with or without its domain parameters. */
    static SubjectPublicKeyInfo spki(KeyPair k, boolean withParams) {
        SubjectPublicKeyInfo full = SubjectPublicKeyInfo.getInstance(k.getPublic().getEncoded());
        if (withParams) {
            return full;
        }
        try {
            return new SubjectPublicKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_dsa),
                    new ASN1Integer(((DSAPublicKey) k.getPublic()).getY()));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static X509Certificate cert(String subject, SubjectPublicKeyInfo key, String issuer, PrivateKey issuerKey, Extension... exts) {
        try {
            var b = new X509v3CertificateBuilder(new X500Name(issuer), BigInteger.valueOf(PathCheckerTest.SERIAL.incrementAndGet()),
                    Date.from(past()), Date.from(future()), new X500Name(subject), key);
            for (Extension e : exts) {
                b.addExtension(e);
            }
            String alg = issuerKey.getAlgorithm().equals("DSA") ? "SHA256withDSA" : "SHA256withECDSA";
            return new JcaX509CertificateConverter().getCertificate(b.build(
                    new JcaContentSignerBuilder(alg).setProvider(CryptoProviders.bouncyCastle()).build(issuerKey)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static X509Certificate leafUnder(String issuer, PrivateKey issuerKey) {
        return cert("CN=dev-dsa", SubjectPublicKeyInfo.getInstance(PathCheckerTest.leafKey.getPublic().getEncoded()), issuer, issuerKey,
                ku(KeyUsage.digitalSignature), san(uri("dev-dsa")));
    }

    @Test
    void a_parameterless_dsa_intermediate_borrows_its_issuers_parameters() {
        assertThat(DsaKeys.lacksParams(bareMid.getPublicKey())).isTrue();
        assertThat(DsaKeys.lacksParams(root.getPublicKey())).isFalse();
        X509Certificate leaf = leafUnder("CN=DSA Mid", midDsa.getPrivate());
        Verdict v = trusting(root).validate(request(leaf, bareMid).build());
        accepted(v);
        assertThat(((Verdict.Accepted) v).path()).containsExactly(leaf, bareMid, root);
        // the completed key verifies what the intermediate signed; a key of the same parameters does not
        PublicKeyCheck.verifies(leaf, DsaKeys.effective(List.of(leaf, bareMid, root), 1));
    }

    @Test
    void a_leaf_signed_by_another_key_of_the_same_parameters_is_refused() {
        X509Certificate forged = leafUnder("CN=DSA Mid", otherDsa.getPrivate());
        refused(trusting(root).validate(request(forged, bareMid).build()), ReasonCode.BAD_SIGNATURE, Verdict.Step.PATH);
    }

    @Test
    void without_a_dsa_issuer_above_there_is_nothing_to_inherit() {
        // the same parameter-less key certified by an EC root: no parameters to borrow, so it verifies nothing
        X509Certificate ecRoot = PathCheckerTest.root;
        X509Certificate midUnderEc = cert("CN=DSA Mid", spki(midDsa, false), "CN=PC Root", PathCheckerTest.rootKey.getPrivate(),
                bc(true, -1), ku(KeyUsage.keyCertSign));
        X509Certificate leaf = leafUnder("CN=DSA Mid", midDsa.getPrivate());
        refused(trusting(ecRoot).validate(request(leaf, midUnderEc).build()), ReasonCode.BAD_SIGNATURE, Verdict.Step.PATH);
        assertThat(DsaKeys.effective(List.of(leaf, midUnderEc, ecRoot), 1)).isSameAs(midUnderEc.getPublicKey());
        assertThat(DsaKeys.inherit(midUnderEc.getPublicKey(), ecRoot.getPublicKey())).isNull();
        assertThat(DsaKeys.effective(List.of(leaf, midUnderEc, ecRoot), 0)).isSameAs(leaf.getPublicKey());
        // nothing above the parameter-less key at all: it stays as it is
        assertThat(DsaKeys.effective(List.of(leaf, midUnderEc), 1)).isSameAs(midUnderEc.getPublicKey());
    }

    /** Plain JCA verification, for the assertion above. */
    static final class PublicKeyCheck {
        static void verifies(X509Certificate cert, java.security.PublicKey key) {
            try {
                cert.verify(key);
            } catch (Exception e) {
                throw new AssertionError("does not verify: " + e);
            }
        }
    }
}
