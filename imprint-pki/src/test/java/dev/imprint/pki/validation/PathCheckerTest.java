package dev.imprint.pki.validation;

import static dev.imprint.pki.validation.CertificateValidatorTest.accepted;
import static dev.imprint.pki.validation.CertificateValidatorTest.refused;

import dev.imprint.pki.CryptoProviders;
import dev.imprint.pki.KeyAlgorithm;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 5280 path checks one at a time, each on a hierarchy made for it (anchor, intermediate,
 * leaf built here with exactly the extension under test), with the passing case beside it.
 */
class PathCheckerTest {
    static final Instant NOW = Instant.now();
    static final AtomicLong SERIAL = new AtomicLong(1000);
    static KeyPair rootKey;
    static KeyPair midKey;
    static KeyPair leafKey;
    static X509Certificate root;

    @BeforeAll
    static void keys() {
        CryptoProviders.install();
        rootKey = KeyAlgorithm.EC_P256.generate();
        midKey = KeyAlgorithm.EC_P256.generate();
        leafKey = KeyAlgorithm.EC_P256.generate();
        root = ca("CN=PC Root", rootKey, "CN=PC Root", rootKey, -1);
    }

    // ---- a small certificate factory -------------------------------------------------

    static X509Certificate cert(String subject, KeyPair key, String issuer, PrivateKey issuerKey, Instant from, Instant to,
                                Extension... exts) {
        try {
            var b = new JcaX509v3CertificateBuilder(new X500Name(issuer), BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(from), Date.from(to), new X500Name(subject), key.getPublic());
            for (Extension e : exts) {
                b.addExtension(e);
            }
            return new JcaX509CertificateConverter().getCertificate(b.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").setProvider(CryptoProviders.bouncyCastle()).build(issuerKey)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Instant past() {
        return NOW.minus(Duration.ofDays(30));
    }

    static Instant future() {
        return NOW.plus(Duration.ofDays(30));
    }

    static X509Certificate ca(String subject, KeyPair key, String issuer, KeyPair issuerKey, int pathLen, Extension... more) {
        List<Extension> e = new ArrayList<>(List.of(bc(true, pathLen), ku(KeyUsage.keyCertSign | KeyUsage.cRLSign), ski(key)));
        e.addAll(List.of(more));
        return cert(subject, key, issuer, issuerKey.getPrivate(), past(), future(), e.toArray(Extension[]::new));
    }

    /** A device leaf (keyUsage digitalSignature, EKU clientAuth, device SAN); {@code more} replaces those of the same OID. */
    static X509Certificate leaf(String id, X509Certificate issuer, KeyPair issuerKey, Extension... more) {
        java.util.Map<org.bouncycastle.asn1.ASN1ObjectIdentifier, Extension> e = new java.util.LinkedHashMap<>();
        for (Extension d : List.of(ku(KeyUsage.digitalSignature), eku(KeyPurposeId.id_kp_clientAuth), san(uri(id)))) {
            e.put(d.getExtnId(), d);
        }
        for (Extension m : more) {
            e.put(m.getExtnId(), m);
        }
        return cert("CN=" + id, leafKey, issuer.getSubjectX500Principal().getName(), issuerKey.getPrivate(), past(), future(),
                e.values().toArray(Extension[]::new));
    }

    static Extension ext(org.bouncycastle.asn1.ASN1ObjectIdentifier oid, boolean critical, ASN1Encodable value) {
        try {
            return new Extension(oid, critical, value.toASN1Primitive().getEncoded());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Extension bc(boolean ca, int pathLen) {
        return ext(Extension.basicConstraints, true, ca ? (pathLen >= 0 ? new BasicConstraints(pathLen) : new BasicConstraints(true))
                : new BasicConstraints(false));
    }

    static Extension ku(int bits) {
        return ext(Extension.keyUsage, true, new KeyUsage(bits));
    }

    static Extension eku(KeyPurposeId... ids) {
        return ext(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(ids));
    }

    static Extension ski(KeyPair key) {
        try {
            return ext(Extension.subjectKeyIdentifier, false, new JcaX509ExtensionUtils().createSubjectKeyIdentifier(key.getPublic()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static GeneralName uri(String id) {
        return new GeneralName(GeneralName.uniformResourceIdentifier, "urn:imprint:device:" + id);
    }

    static Extension san(GeneralName... names) {
        return ext(Extension.subjectAlternativeName, false, new GeneralNames(names));
    }

    static Extension nc(boolean critical, GeneralSubtree[] permitted, GeneralSubtree[] excluded) {
        return ext(Extension.nameConstraints, critical, new NameConstraints(permitted, excluded));
    }

    static GeneralSubtree[] subtrees(GeneralName... names) {
        GeneralSubtree[] t = new GeneralSubtree[names.length];
        for (int i = 0; i < names.length; i++) {
            t[i] = new GeneralSubtree(names[i]);
        }
        return t;
    }

    static CertificateValidator trusting(X509Certificate anchor) {
        return CertificateValidator.builder().trustAnchor(anchor).revocation(RevocationSource.NONE).build();
    }

    static ValidationRequest.Builder request(X509Certificate... chain) {
        return ValidationRequest.builder().chain(chain).possession(PossessionProof.tlsHandshake()).requiredEku(Eku.CLIENT_AUTH);
    }

    static Verdict validate(X509Certificate anchor, X509Certificate... chain) {
        return trusting(anchor).validate(request(chain).build());
    }

    static X509Certificate mid(int pathLen, Extension... more) {
        return ca("CN=PC Mid", midKey, "CN=PC Root", rootKey, pathLen, more);
    }

    // ---- the trust anchor ------------------------------------------------------------

    @Test
    void the_anchor_itself_must_be_valid_at_the_time() {
        X509Certificate m = mid(-1);
        X509Certificate l = leaf("dev-a", m, midKey);
        accepted(validate(root, l, m));
        X509Certificate expiredRoot = cert("CN=PC Root", rootKey, "CN=PC Root", rootKey.getPrivate(),
                NOW.minus(Duration.ofDays(60)), NOW.minus(Duration.ofDays(1)),
                bc(true, -1), ku(KeyUsage.keyCertSign), ski(rootKey));
        refused(validate(expiredRoot, l, m), ReasonCode.EXPIRED, Verdict.Step.PATH);
        X509Certificate futureRoot = cert("CN=PC Root", rootKey, "CN=PC Root", rootKey.getPrivate(),
                NOW.plus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(60)),
                bc(true, -1), ku(KeyUsage.keyCertSign), ski(rootKey));
        refused(validate(futureRoot, l, m), ReasonCode.NOT_YET_VALID, Verdict.Step.PATH);
    }

    @Test
    void the_anchor_must_be_allowed_to_sign_certificates() {
        X509Certificate m = mid(-1);
        X509Certificate l = leaf("dev-b", m, midKey);
        X509Certificate noCertSign = cert("CN=PC Root", rootKey, "CN=PC Root", rootKey.getPrivate(), past(), future(),
                bc(true, -1), ku(KeyUsage.digitalSignature | KeyUsage.cRLSign), ski(rootKey));
        refused(validate(noCertSign, l, m), ReasonCode.KEY_USAGE, Verdict.Step.PATH);
        // no keyUsage at all does not restrict
        X509Certificate noKu = cert("CN=PC Root", rootKey, "CN=PC Root", rootKey.getPrivate(), past(), future(),
                bc(true, -1), ski(rootKey));
        accepted(validate(noKu, l, m));
    }

    @Test
    void the_anchors_structure_is_checked_like_any_ca() {
        X509Certificate m = mid(-1);
        X509Certificate l = leaf("dev-c", m, midKey);
        X509Certificate unknownCritical = cert("CN=PC Root", rootKey, "CN=PC Root", rootKey.getPrivate(), past(), future(),
                bc(true, -1), ku(KeyUsage.keyCertSign), ski(rootKey),
                ext(new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.3.6.1.4.1.55555.1"), true, new DERSequence()));
        refused(validate(unknownCritical, l, m), ReasonCode.UNKNOWN_CRITICAL_EXTENSION, Verdict.Step.PATH);
        X509Certificate criticalSki = cert("CN=PC Root", rootKey, "CN=PC Root", rootKey.getPrivate(), past(), future(),
                bc(true, -1), ku(KeyUsage.keyCertSign), ext(Extension.subjectKeyIdentifier, true,
                        new org.bouncycastle.asn1.x509.SubjectKeyIdentifier(new byte[] {1, 2, 3})));
        // a critical key identifier is refused: it is not among the critical extensions understood
        refused(validate(criticalSki, l, m), ReasonCode.UNKNOWN_CRITICAL_EXTENSION, Verdict.Step.PATH);
    }

    @Test
    void the_anchors_path_length_bounds_the_path() {
        X509Certificate pl0 = ca("CN=PC Root", rootKey, "CN=PC Root", rootKey, 0);
        X509Certificate m = mid(-1);
        refused(validate(pl0, leaf("dev-d", m, midKey), m), ReasonCode.PATH_LENGTH_EXCEEDED, Verdict.Step.PATH);
        X509Certificate pl1 = ca("CN=PC Root", rootKey, "CN=PC Root", rootKey, 1);
        accepted(validate(pl1, leaf("dev-d", m, midKey), m));
    }

    // ---- intermediates ---------------------------------------------------------------

    @Test
    void path_length_counts_down_through_intermediates() {
        KeyPair mid2Key = KeyAlgorithm.EC_P256.generate();
        X509Certificate m1 = mid(1);
        X509Certificate m2 = ca("CN=PC Mid 2", mid2Key, "CN=PC Mid", midKey, -1);
        KeyPair mid3Key = KeyAlgorithm.EC_P256.generate();
        X509Certificate m3 = ca("CN=PC Mid 3", mid3Key, "CN=PC Mid 2", mid2Key, -1);
        accepted(validate(root, leaf("dev-e", m2, mid2Key), m2, m1));
        refused(validate(root, leaf("dev-e", m3, mid3Key), m3, m2, m1), ReasonCode.PATH_LENGTH_EXCEEDED, Verdict.Step.PATH);
        // pathLen 0 on the last CA still lets it issue leaves
        X509Certificate m0 = mid(0);
        accepted(validate(root, leaf("dev-e0", m0, midKey), m0));
        X509Certificate m2under0 = ca("CN=PC Mid 2", mid2Key, "CN=PC Mid", midKey, -1);
        refused(validate(root, leaf("dev-e1", m2under0, mid2Key), m2under0, m0), ReasonCode.PATH_LENGTH_EXCEEDED, Verdict.Step.PATH);
    }

    @Test
    void an_intermediate_must_be_allowed_to_sign_certificates() {
        X509Certificate m = cert("CN=PC Mid", midKey, "CN=PC Root", rootKey.getPrivate(), past(), future(),
                bc(true, -1), ku(KeyUsage.digitalSignature), ski(midKey));
        refused(validate(root, leaf("dev-f", m, midKey), m), ReasonCode.KEY_USAGE, Verdict.Step.PATH);
    }

    @Test
    void an_intermediates_structure_is_checked() {
        X509Certificate unknownCritical = mid(-1, ext(new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.3.6.1.4.1.55555.2"), true,
                new DERSequence()));
        refused(validate(root, leaf("dev-g", unknownCritical, midKey), unknownCritical),
                ReasonCode.UNKNOWN_CRITICAL_EXTENSION, Verdict.Step.PATH);
        X509Certificate criticalAki = mid(-1, ext(Extension.authorityKeyIdentifier, true,
                new org.bouncycastle.asn1.x509.AuthorityKeyIdentifier(new byte[] {1, 2, 3})));
        refused(validate(root, leaf("dev-g", criticalAki, midKey), criticalAki), ReasonCode.UNKNOWN_CRITICAL_EXTENSION,
                Verdict.Step.PATH);
        X509Certificate looseNc = mid(-1, nc(false, subtrees(new GeneralName(GeneralName.dNSName, "example.com")), null));
        refused(validate(root, leaf("dev-g", looseNc, midKey), looseNc), ReasonCode.NAME_CONSTRAINTS, Verdict.Step.PATH);
        X509Certificate emptyEku = mid(-1, ext(Extension.extendedKeyUsage, false, new DERSequence()));
        refused(validate(root, leaf("dev-g", emptyEku, midKey), emptyEku), ReasonCode.MALFORMED, Verdict.Step.PATH);
    }

    @Test
    void an_intermediates_key_must_be_strong_enough() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(1024);
        KeyPair weak = g.generateKeyPair();
        X509Certificate m = cert("CN=PC Mid", weak, "CN=PC Root", rootKey.getPrivate(), past(), future(),
                bc(true, -1), ku(KeyUsage.keyCertSign), ski(weak));
        X509Certificate l;
        try {
            var b = new JcaX509v3CertificateBuilder(new X500Name("CN=PC Mid"), BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(past()), Date.from(future()), new X500Name("CN=dev-h"), leafKey.getPublic());
            b.addExtension(ku(KeyUsage.digitalSignature));
            b.addExtension(san(uri("dev-h")));
            l = new JcaX509CertificateConverter().getCertificate(b.build(
                    new JcaContentSignerBuilder("SHA256withRSA").build(weak.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        refused(validate(root, l, m), ReasonCode.WEAK_KEY, Verdict.Step.PATH);
        // a validator configured down to 1024 bits takes it in the device profile (the WEB_PKI floor of 2048 stays)
        CertificateValidator lowered = CertificateValidator.builder().trustAnchor(root).revocation(RevocationSource.NONE)
                .minRsaBits(1024).build();
        accepted(lowered.validate(request(l, m).build()));
    }

    @Test
    void an_intermediates_eku_binds_the_path() {
        X509Certificate serverOnly = mid(-1, eku(KeyPurposeId.id_kp_serverAuth));
        refused(validate(root, leaf("dev-i", serverOnly, midKey), serverOnly), ReasonCode.WRONG_EKU, Verdict.Step.PATH);
        X509Certificate clientToo = mid(-1, eku(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth));
        accepted(validate(root, leaf("dev-i", clientToo, midKey), clientToo));
        X509Certificate any = mid(-1, eku(KeyPurposeId.anyExtendedKeyUsage));
        accepted(validate(root, leaf("dev-i", any, midKey), any));
    }

    // ---- the leaf --------------------------------------------------------------------

    @Test
    void a_leaf_may_not_carry_ca_powers() {
        X509Certificate m = mid(-1);
        refused(validate(root, leaf("dev-j", m, midKey, ku(KeyUsage.digitalSignature | KeyUsage.keyCertSign)), m),
                ReasonCode.KEY_USAGE, Verdict.Step.PATH);
        refused(validate(root, leaf("dev-j", m, midKey, nc(true, subtrees(new GeneralName(GeneralName.dNSName, "example.com")), null)), m),
                ReasonCode.NAME_CONSTRAINTS, Verdict.Step.PATH);
        refused(validate(root, leaf("dev-j", m, midKey, ext(Extension.extendedKeyUsage, false, new DERSequence())), m),
                ReasonCode.MALFORMED, Verdict.Step.PATH);
    }

    @Test
    void a_leaf_eku_of_any_purpose_or_none_passes() {
        X509Certificate m = mid(-1);
        X509Certificate anyEku = cert("CN=dev-k", leafKey, "CN=PC Mid", midKey.getPrivate(), past(), future(),
                ku(KeyUsage.digitalSignature), eku(KeyPurposeId.anyExtendedKeyUsage), san(uri("dev-k")));
        accepted(validate(root, anyEku, m));
        X509Certificate noEkuNoKu = cert("CN=dev-k", leafKey, "CN=PC Mid", midKey.getPrivate(), past(), future(), san(uri("dev-k")));
        accepted(trusting(root).validate(request(noEkuNoKu, m).requiredKeyUsage(EnumSet.of(KeyUsageBit.KEY_AGREEMENT)).build()));
        X509Certificate serverLeaf = cert("CN=dev-k", leafKey, "CN=PC Mid", midKey.getPrivate(), past(), future(),
                eku(KeyPurposeId.id_kp_serverAuth), san(uri("dev-k")));
        refused(validate(root, serverLeaf, m), ReasonCode.WRONG_EKU, Verdict.Step.PATH);
        // no EKU required: any EKU passes
        accepted(trusting(root).validate(ValidationRequest.builder().chain(serverLeaf, m).possession(PossessionProof.tlsHandshake())
                .build()));
    }

    // ---- name constraints ------------------------------------------------------------

    @Test
    void excluded_dns_names_and_wildcards_that_could_reach_them_are_refused() {
        X509Certificate m = mid(-1, nc(true, null, subtrees(new GeneralName(GeneralName.dNSName, "evil.example"))));
        refused(validate(root, leaf("dev-l", m, midKey, san(uri("dev-l"), new GeneralName(GeneralName.dNSName, "a.evil.example"))), m),
                ReasonCode.NAME_CONSTRAINTS, Verdict.Step.PATH);
        accepted(validate(root, leaf("dev-l", m, midKey, san(uri("dev-l"), new GeneralName(GeneralName.dNSName, "good.example"))), m));
        refused(validate(root, leaf("dev-l", m, midKey, san(uri("dev-l"), new GeneralName(GeneralName.dNSName, "*.example"))), m),
                ReasonCode.NAME_CONSTRAINTS, Verdict.Step.PATH);
        accepted(validate(root, leaf("dev-l", m, midKey, san(uri("dev-l"), new GeneralName(GeneralName.dNSName, "*.other.example"))), m));
        X509Certificate deep = mid(-1, nc(true, null, subtrees(new GeneralName(GeneralName.dNSName, "x.evil.example"))));
        refused(validate(root, leaf("dev-l", deep, midKey, san(uri("dev-l"), new GeneralName(GeneralName.dNSName, "*.evil.example"))),
                deep), ReasonCode.NAME_CONSTRAINTS, Verdict.Step.PATH);
        X509Certificate same = mid(-1, nc(true, null, subtrees(new GeneralName(GeneralName.dNSName, "evil.example"))));
        refused(validate(root, leaf("dev-l", same, midKey, san(uri("dev-l"), new GeneralName(GeneralName.dNSName, "*.evil.example"))),
                same), ReasonCode.NAME_CONSTRAINTS, Verdict.Step.PATH);
    }

    @Test
    void excluded_and_permitted_directory_names_bind_the_subject() {
        X509Certificate ex = mid(-1, nc(true, null, subtrees(new GeneralName(new X500Name("O=Evil")))));
        // a directoryName subtree is a prefix of the DN in its encoded order (O first)
        X509Certificate evil = cert("O=Evil,CN=dev-m", leafKey, "CN=PC Mid", midKey.getPrivate(), past(), future(),
                ku(KeyUsage.digitalSignature), san(uri("dev-m")));
        refused(validate(root, evil, ex), ReasonCode.NAME_CONSTRAINTS, Verdict.Step.PATH);
        accepted(validate(root, leaf("dev-m", ex, midKey), ex));
        X509Certificate perm = mid(-1, nc(true, subtrees(new GeneralName(new X500Name("O=Good"))), null));
        refused(validate(root, leaf("dev-m", perm, midKey), perm), ReasonCode.NAME_CONSTRAINTS, Verdict.Step.PATH);
        X509Certificate good = cert("O=Good,CN=dev-m", leafKey, "CN=PC Mid", midKey.getPrivate(), past(), future(),
                ku(KeyUsage.digitalSignature), san(uri("dev-m")));
        accepted(validate(root, good, perm));
    }

    @Test
    void excluded_email_in_the_subject_is_refused() {
        X509Certificate ex = mid(-1, nc(true, null, subtrees(new GeneralName(GeneralName.rfc822Name, "evil.example"))));
        X509Certificate mail = cert("E=a@evil.example,CN=dev-n", leafKey, "CN=PC Mid", midKey.getPrivate(), past(), future(),
                ku(KeyUsage.digitalSignature), san(uri("dev-n")));
        refused(validate(root, mail, ex), ReasonCode.NAME_CONSTRAINTS, Verdict.Step.PATH);
        X509Certificate other = cert("E=a@good.example,CN=dev-n", leafKey, "CN=PC Mid", midKey.getPrivate(), past(), future(),
                ku(KeyUsage.digitalSignature), san(uri("dev-n")));
        accepted(validate(root, other, ex));
        X509Certificate perm = mid(-1, nc(true, subtrees(new GeneralName(GeneralName.rfc822Name, "good.example")), null));
        refused(validate(root, mail, perm), ReasonCode.NAME_CONSTRAINTS, Verdict.Step.PATH);
        accepted(validate(root, other, perm));
    }

    @Test
    void malformed_or_empty_name_constraints_are_refused() {
        for (String bad : List.of(".example.com", "a..example.com", "example.com.")) {
            X509Certificate m = mid(-1, nc(true, subtrees(new GeneralName(GeneralName.dNSName, bad)), null));
            refused(validate(root, leaf("dev-o", m, midKey), m), ReasonCode.NAME_CONSTRAINTS, Verdict.Step.PATH);
        }
        X509Certificate twoAts = mid(-1, nc(true, null, subtrees(new GeneralName(GeneralName.rfc822Name, "a@b@example.com"))));
        refused(validate(root, leaf("dev-o", twoAts, midKey), twoAts), ReasonCode.NAME_CONSTRAINTS, Verdict.Step.PATH);
        X509Certificate empty = mid(-1, ext(Extension.nameConstraints, true, new DERSequence()));
        refused(validate(root, leaf("dev-o", empty, midKey), empty), ReasonCode.NAME_CONSTRAINTS, Verdict.Step.PATH);
        X509Certificate fine = mid(-1, nc(true, subtrees(new GeneralName(GeneralName.uniformResourceIdentifier, "imprint")), null));
        org.assertj.core.api.Assertions.assertThat(validate(root, leaf("dev-o", fine, midKey), fine)).isNotNull();
    }

    @Test
    void a_self_issued_intermediate_is_not_name_checked_but_what_it_signs_is() {
        // key rollover: the root's name with a new key, signed by the old key (RFC 5280 6.1.3 (b) skips its names)
        X509Certificate ncRoot = ca("CN=PC NC Root", rootKey, "CN=PC NC Root", rootKey, -1,
                nc(true, subtrees(new GeneralName(new X500Name("O=Ok"))), null));
        X509Certificate rollover = ca("CN=PC NC Root", midKey, "CN=PC NC Root", rootKey, -1);
        X509Certificate inside = cert("O=Ok,CN=dev-r", leafKey, "CN=PC NC Root", midKey.getPrivate(), past(), future(),
                ku(KeyUsage.digitalSignature), san(uri("dev-r")));
        accepted(validate(ncRoot, inside, rollover));
        X509Certificate outside = cert("O=Other,CN=dev-r", leafKey, "CN=PC NC Root", midKey.getPrivate(), past(), future(),
                ku(KeyUsage.digitalSignature), san(uri("dev-r")));
        refused(validate(ncRoot, outside, rollover), ReasonCode.NAME_CONSTRAINTS, Verdict.Step.PATH);
    }

    @Test
    void an_empty_subject_is_not_held_to_directory_name_constraints() {
        X509Certificate perm = mid(-1, nc(true, subtrees(new GeneralName(new X500Name("O=Good"))), null));
        X509Certificate noSubject = cert("", leafKey, "CN=PC Mid", midKey.getPrivate(), past(), future(),
                ku(KeyUsage.digitalSignature), ext(Extension.subjectAlternativeName, true, new GeneralNames(uri("dev-s"))));
        org.assertj.core.api.Assertions.assertThat(noSubject.getSubjectX500Principal().getEncoded()).hasSize(2);
        accepted(validate(root, noSubject, perm));
    }

    @Test
    void a_ca_certificate_with_path_length_zero_validates_as_an_end_entity() {
        // a CA certificate validated on its own (pathLen 0 is still a CA): its keyCertSign and nameConstraints are allowed
        X509Certificate m = mid(-1);
        X509Certificate subCa = cert("CN=dev-t", leafKey, "CN=PC Mid", midKey.getPrivate(), past(), future(),
                bc(true, 0), ku(KeyUsage.digitalSignature | KeyUsage.keyCertSign), san(uri("dev-t")),
                nc(true, subtrees(new GeneralName(GeneralName.dNSName, "example.com")), null));
        accepted(validate(root, subCa, m));
        X509Certificate notCa = cert("CN=dev-t", leafKey, "CN=PC Mid", midKey.getPrivate(), past(), future(),
                bc(false, -1), ku(KeyUsage.digitalSignature | KeyUsage.keyCertSign), san(uri("dev-t")));
        refused(validate(root, notCa, m), ReasonCode.KEY_USAGE, Verdict.Step.PATH);
    }

    @Test
    void name_constraint_work_past_its_bound_is_refused_unevaluated() {
        // 1,100 constraints x 1,002 names (CN, URI, 1,000 DNS) = 1,102,200 comparisons > 2^20
        GeneralName[] permitted = new GeneralName[1100];
        permitted[0] = new GeneralName(GeneralName.dNSName, "good.example");
        for (int i = 1; i < permitted.length; i++) {
            permitted[i] = new GeneralName(GeneralName.dNSName, "p" + i + ".example");
        }
        X509Certificate m = mid(-1, nc(true, subtrees(permitted), null));
        GeneralName[] names = new GeneralName[1001];
        names[0] = uri("dev-w");
        for (int i = 1; i < names.length; i++) {
            names[i] = new GeneralName(GeneralName.dNSName, "h" + i + ".good.example");
        }
        refused(validate(root, leaf("dev-w", m, midKey, san(names)), m), ReasonCode.PATH_BUILDING_LIMIT, Verdict.Step.PATH);
        // the same constraints over a few names are evaluated
        accepted(validate(root, leaf("dev-w", m, midKey, san(uri("dev-w"), new GeneralName(GeneralName.dNSName, "h.good.example"))), m));
    }

    // ---- certificate policies ----------------------------------------------------------

    static final String POLICY_P = "1.3.6.1.4.1.55555.10";
    static final String POLICY_Q = "1.3.6.1.4.1.55555.11";

    static Extension policies(String... oids) {
        org.bouncycastle.asn1.x509.PolicyInformation[] info = new org.bouncycastle.asn1.x509.PolicyInformation[oids.length];
        for (int i = 0; i < oids.length; i++) {
            info[i] = new org.bouncycastle.asn1.x509.PolicyInformation(new org.bouncycastle.asn1.ASN1ObjectIdentifier(oids[i]));
        }
        return ext(Extension.certificatePolicies, false, new org.bouncycastle.asn1.x509.CertificatePolicies(info));
    }

    static Verdict validate(PolicyInputs inputs, X509Certificate... chain) {
        return trusting(root).validate(request(chain).policy(inputs).build());
    }

    @Test
    void initial_policies_and_explicit_policy_bind_the_path() {
        X509Certificate m = mid(-1, policies(POLICY_P));
        X509Certificate l = leaf("dev-y", m, midKey, policies(POLICY_P));
        accepted(validate(new PolicyInputs(java.util.Set.of(POLICY_P), true, false, false), l, m));
        accepted(validate(new PolicyInputs(java.util.Set.of(PolicyInputs.ANY_POLICY), true, false, false), l, m));
        refused(validate(new PolicyInputs(java.util.Set.of(POLICY_Q), true, false, false), l, m), ReasonCode.POLICY, Verdict.Step.PATH);
        X509Certificate bare = leaf("dev-y", m, midKey);
        refused(validate(new PolicyInputs(java.util.Set.of(PolicyInputs.ANY_POLICY), true, false, false), bare, m),
                ReasonCode.POLICY, Verdict.Step.PATH);
    }

    @Test
    void any_policy_can_be_inhibited() {
        X509Certificate m = mid(-1, policies(PolicyInputs.ANY_POLICY));
        X509Certificate l = leaf("dev-z", m, midKey, policies(PolicyInputs.ANY_POLICY));
        accepted(validate(new PolicyInputs(java.util.Set.of(PolicyInputs.ANY_POLICY), true, false, false), l, m));
        refused(validate(new PolicyInputs(java.util.Set.of(PolicyInputs.ANY_POLICY), true, false, true), l, m),
                ReasonCode.POLICY, Verdict.Step.PATH);
    }

    @Test
    void a_policy_constraint_in_the_path_is_enforced_with_default_inputs() {
        Extension requireExplicit = ext(Extension.policyConstraints, true,
                new org.bouncycastle.asn1.x509.PolicyConstraints(BigInteger.ZERO, null));
        X509Certificate m = mid(-1, policies(POLICY_P), requireExplicit);
        accepted(validate(root, leaf("dev-aa", m, midKey, policies(POLICY_P)), m));
        refused(validate(root, leaf("dev-aa", m, midKey), m), ReasonCode.POLICY, Verdict.Step.PATH);
        X509Certificate noConstraint = mid(-1, policies(POLICY_P));
        accepted(validate(root, leaf("dev-aa", noConstraint, midKey), noConstraint));
    }

    @Test
    void policy_mapping_can_be_inhibited() {
        Extension mapPtoQ = ext(Extension.policyMappings, false, new org.bouncycastle.asn1.x509.PolicyMappings(
                org.bouncycastle.asn1.x509.CertPolicyId.getInstance(new org.bouncycastle.asn1.ASN1ObjectIdentifier(POLICY_P)),
                org.bouncycastle.asn1.x509.CertPolicyId.getInstance(new org.bouncycastle.asn1.ASN1ObjectIdentifier(POLICY_Q))));
        X509Certificate m = mid(-1, policies(POLICY_P), mapPtoQ);
        X509Certificate l = leaf("dev-ab", m, midKey, policies(POLICY_Q));
        accepted(validate(new PolicyInputs(java.util.Set.of(POLICY_P), true, false, false), l, m));
        refused(validate(new PolicyInputs(java.util.Set.of(POLICY_P), true, true, false), l, m), ReasonCode.POLICY, Verdict.Step.PATH);
    }
}
