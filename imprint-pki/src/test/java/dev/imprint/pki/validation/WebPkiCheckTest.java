package dev.imprint.pki.validation;

import static dev.imprint.pki.validation.CertificateValidatorTest.accepted;
import static dev.imprint.pki.validation.CertificateValidatorTest.refused;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@link Profile#WEB_PKI} refusals added for the x509-limbo cases that were accepted wrongly,
 * each beside the closest chain that is still accepted: root, intermediate, server leaf.
 */
class WebPkiCheckTest {
    private static final Instant NOW = Instant.now();
    private static KeyPair rootKey;
    private static X509Certificate root;
    private static KeyPair icaKey;
    private static X509Certificate ica;
    private static CertificateValidator validator;

    @BeforeAll
    static void setUp() throws Exception {
        rootKey = ecKey();
        root = cert("CN=web-root", rootKey, null, rootKey, "SHA256withECDSA", true, null);
        icaKey = ecKey();
        ica = cert("CN=web-ica", icaKey, root, rootKey, "SHA256withECDSA", true, null);
        validator = CertificateValidator.builder().trustAnchor(root).revocation(RevocationSource.NONE).build();
    }

    /** webpki::eku::ee-without-eku (CABF 7.1.2.7.6). */
    @Test
    void refuses_server_leaf_without_eku() throws Exception {
        X509Certificate without = leaf(ica, icaKey, "SHA256withECDSA", false, null);
        refused(validate(without, ica), ReasonCode.WRONG_EKU, Verdict.Step.PATH);
        accepted(validate(leaf(ica, icaKey, "SHA256withECDSA", false, KeyPurposeId.id_kp_serverAuth), ica));
    }

    @Test
    void device_profile_still_reads_absent_eku_as_unrestricted() throws Exception {
        X509Certificate without = leaf(ica, icaKey, "SHA256withECDSA", false, null);
        accepted(validator.validate(request(without, ica).profile(Profile.RFC5280).build()));
    }

    /** webpki::ca-as-leaf (CABF 7.1.2.7.8): a CA certificate in leaf position, even with keyCertSign. */
    @Test
    void refuses_ca_certificate_as_server_leaf() throws Exception {
        X509Certificate caLeaf = leaf(ica, icaKey, "SHA256withECDSA", true, KeyPurposeId.id_kp_serverAuth);
        refused(validate(caLeaf, ica), ReasonCode.INVALID_PATH, Verdict.Step.PATH);
        accepted(validate(leaf(ica, icaKey, "SHA256withECDSA", false, KeyPurposeId.id_kp_serverAuth), ica));
    }

    /** bettertls::pathbuilding tc8, tc15, tc41, tc47, tc74, tc80: an intermediate signed over SHA-1. */
    @Test
    void refuses_intermediate_signed_over_sha1() throws Exception {
        X509Certificate sha1Ica = cert("CN=web-ica", icaKey, root, rootKey, "SHA1withECDSA", true, null);
        X509Certificate leaf = leaf(sha1Ica, icaKey, "SHA256withECDSA", false, KeyPurposeId.id_kp_serverAuth);
        refused(validate(leaf, sha1Ica), ReasonCode.UNSUPPORTED_ALGORITHM, Verdict.Step.PATH);
        accepted(validate(leaf, ica));
    }

    /** Path building backtracks past the SHA-1 edge to a SHA-256 one, as in bettertls tc21, tc29, tc35. */
    @Test
    void finds_the_sha256_path_beside_a_sha1_one() throws Exception {
        X509Certificate sha1Ica = cert("CN=web-ica", icaKey, root, rootKey, "SHA1withECDSA", true, null);
        X509Certificate leaf = leaf(ica, icaKey, "SHA256withECDSA", false, KeyPurposeId.id_kp_serverAuth);
        accepted(validator.validate(request(leaf, sha1Ica).chain(leaf, sha1Ica, ica).build()));
    }

    @Test
    void refuses_leaf_signed_over_sha1() throws Exception {
        X509Certificate leaf = leaf(ica, icaKey, "SHA1withECDSA", false, KeyPurposeId.id_kp_serverAuth);
        refused(validate(leaf, ica), ReasonCode.UNSUPPORTED_ALGORITHM, Verdict.Step.PATH);
    }

    /** A server whose SANs do not name the host asked for (a mutant that matched every name survived the unit tests). */
    @Test
    void refuses_a_server_certificate_for_another_host() throws Exception {
        X509Certificate leaf = leaf(ica, icaKey, "SHA256withECDSA", false, KeyPurposeId.id_kp_serverAuth);
        refused(validator.validate(request(leaf, ica, "other.example.com").build()), ReasonCode.IDENTITY_MISMATCH,
                Verdict.Step.IDENTITY);
        accepted(validate(leaf, ica));
    }

    private static Verdict validate(X509Certificate leaf, X509Certificate ica) {
        return validator.validate(request(leaf, ica).build());
    }

    private static ValidationRequest.Builder request(X509Certificate leaf, X509Certificate ica) {
        return request(leaf, ica, "example.com");
    }

    private static ValidationRequest.Builder request(X509Certificate leaf, X509Certificate ica, String host) {
        return ValidationRequest.builder().chain(leaf, ica).possession(PossessionProof.tlsHandshake())
                .profile(Profile.WEB_PKI).requiredEku(Eku.SERVER_AUTH).time(NOW)
                .peerName(new PeerName(PeerName.Kind.DNS, host));
    }

    private static X509Certificate leaf(X509Certificate issuer, KeyPair issuerKey, String sigAlg, boolean ca,
                                        KeyPurposeId eku) throws Exception {
        return cert("CN=example.com", ecKey(), issuer, issuerKey, sigAlg, ca, eku);
    }

    private static X509Certificate cert(String subject, KeyPair key, X509Certificate issuer, KeyPair issuerKey,
                                        String sigAlg, boolean ca, KeyPurposeId eku) throws Exception {
        X500Name subj = new X500Name(subject);
        X500Name iss = issuer == null ? subj : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(iss, new BigInteger(64, new java.util.Random()).setBit(62),
                Date.from(NOW.minus(Duration.ofDays(1))), Date.from(NOW.plus(Duration.ofDays(30))), subj, key.getPublic());
        JcaX509ExtensionUtils u = new JcaX509ExtensionUtils();
        b.addExtension(Extension.subjectKeyIdentifier, false, u.createSubjectKeyIdentifier(key.getPublic()));
        if (issuer != null) {
            b.addExtension(Extension.authorityKeyIdentifier, false, u.createAuthorityKeyIdentifier(issuer));
        }
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
        if (eku != null) {
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(eku));
        }
        if (issuer != null) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, "example.com")));
        }
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder(sigAlg).build(issuerKey.getPrivate())));
    }

    private static KeyPair ecKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }
}
