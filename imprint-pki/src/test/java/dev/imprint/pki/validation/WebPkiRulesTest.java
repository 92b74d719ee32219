package dev.imprint.pki.validation;

import static dev.imprint.pki.validation.PathCheckerTest.bc;
import static dev.imprint.pki.validation.PathCheckerTest.cert;
import static dev.imprint.pki.validation.PathCheckerTest.eku;
import static dev.imprint.pki.validation.PathCheckerTest.ext;
import static dev.imprint.pki.validation.PathCheckerTest.future;
import static dev.imprint.pki.validation.PathCheckerTest.ku;
import static dev.imprint.pki.validation.PathCheckerTest.past;
import static dev.imprint.pki.validation.PathCheckerTest.san;
import static dev.imprint.pki.validation.PathCheckerTest.ski;
import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.pki.CryptoProviders;
import dev.imprint.pki.KeyAlgorithm;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.PolicyConstraints;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The WEB_PKI profile's baseline-requirement checks one at a time, on paths built here, each beside a passing one. */
class WebPkiRulesTest {
    static KeyPair rootKey;
    static KeyPair midKey;
    static KeyPair leafKey;
    static X509Certificate root;
    static X509Certificate mid;

    @BeforeAll
    static void keys() {
        CryptoProviders.install();
        rootKey = KeyAlgorithm.EC_P256.generate();
        midKey = KeyAlgorithm.EC_P256.generate();
        leafKey = KeyAlgorithm.EC_P256.generate();
        root = root(bc(true, -1), ku(KeyUsage.keyCertSign), ski(rootKey));
        mid = mid();
    }

    static Extension aki(KeyPair issuer) {
        try {
            return ext(Extension.authorityKeyIdentifier, false, new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(issuer.getPublic()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static X509Certificate root(Extension... exts) {
        return cert("CN=Web Root", rootKey, "CN=Web Root", rootKey.getPrivate(), past(), future(), exts);
    }

    static X509Certificate mid(Extension... more) {
        Map<ASN1ObjectIdentifier, Extension> e = new LinkedHashMap<>();
        for (Extension d : List.of(bc(true, -1), ku(KeyUsage.keyCertSign), ski(midKey), aki(rootKey))) {
            e.put(d.getExtnId(), d);
        }
        for (Extension m : more) {
            e.put(m.getExtnId(), m);
        }
        return cert("CN=Web Mid", midKey, "CN=Web Root", rootKey.getPrivate(), past(), future(), e.values().toArray(Extension[]::new));
    }

    static Extension dns(String... names) {
        GeneralName[] g = new GeneralName[names.length];
        for (int i = 0; i < names.length; i++) {
            g[i] = new GeneralName(GeneralName.dNSName, names[i]);
        }
        return san(g);
    }

    /** A server leaf: CN, AKI, keyUsage, EKU serverAuth, SAN dNSName hub.example.com; {@code more} replaces by OID. */
    static X509Certificate leaf(String subject, BigInteger serial, KeyPair key, Extension... more) {
        Map<ASN1ObjectIdentifier, Extension> e = new LinkedHashMap<>();
        for (Extension d : List.of(aki(midKey), ku(KeyUsage.digitalSignature), eku(KeyPurposeId.id_kp_serverAuth),
                dns("hub.example.com"))) {
            e.put(d.getExtnId(), d);
        }
        for (Extension m : more) {
            e.put(m.getExtnId(), m);
        }
        try {
            var b = new JcaX509v3CertificateBuilder(new X500Name("CN=Web Mid"), serial, Date.from(past()), Date.from(future()),
                    new X500Name(subject), key.getPublic());
            for (Extension x : e.values()) {
                b.addExtension(x);
            }
            return new JcaX509CertificateConverter().getCertificate(b.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").setProvider(CryptoProviders.bouncyCastle()).build(midKey.getPrivate())));
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    static X509Certificate leaf(Extension... more) {
        return leaf("CN=hub.example.com", BigInteger.valueOf(77), leafKey, more);
    }

    static void passes(X509Certificate... path) {
        WebPkiCheck.check(List.of(path));
    }

    static void refused(ReasonCode code, X509Certificate... path) {
        Refusal r = org.assertj.core.api.Assertions.catchThrowableOfType(() -> WebPkiCheck.check(List.of(path)), Refusal.class);
        assertThat(r).as("expected " + code).isNotNull();
        assertThat(r.code).as(r.getMessage()).isEqualTo(code);
    }

    @Test
    void a_well_formed_server_path_passes() {
        passes(leaf(), mid, root);
        passes(leaf(), mid); // a CA trusted below the root
    }

    @Test
    void key_identifiers_are_required_and_a_roots_aki_is_its_ski() throws Exception {
        // a leaf with every default but the AKI
        X509Certificate leafNoAki;
        try {
            var b = new JcaX509v3CertificateBuilder(new X500Name("CN=Web Mid"), BigInteger.valueOf(79), Date.from(past()),
                    Date.from(future()), new X500Name("CN=hub.example.com"), leafKey.getPublic());
            b.addExtension(eku(KeyPurposeId.id_kp_serverAuth));
            b.addExtension(dns("hub.example.com"));
            leafNoAki = new JcaX509CertificateConverter().getCertificate(b.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(midKey.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        refused(ReasonCode.MALFORMED, leafNoAki, mid, root);
        X509Certificate midNoSki = cert("CN=Web Mid", midKey, "CN=Web Root", rootKey.getPrivate(), past(), future(),
                bc(true, -1), ku(KeyUsage.keyCertSign), aki(rootKey));
        refused(ReasonCode.MALFORMED, leaf(), midNoSki, root);
        X509Certificate midNoAki = cert("CN=Web Mid", midKey, "CN=Web Root", rootKey.getPrivate(), past(), future(),
                bc(true, -1), ku(KeyUsage.keyCertSign), ski(midKey));
        refused(ReasonCode.MALFORMED, leaf(), midNoAki, root);
        passes(leaf(), midNoAki); // the anchor itself may lack one
        passes(leaf(), mid, root(bc(true, -1), ku(KeyUsage.keyCertSign), ski(rootKey), aki(rootKey)));
        refused(ReasonCode.MALFORMED, leaf(), mid, root(bc(true, -1), ku(KeyUsage.keyCertSign), ski(rootKey), aki(midKey)));
        refused(ReasonCode.MALFORMED, leaf(), mid, root(bc(true, -1), ku(KeyUsage.keyCertSign), ski(rootKey),
                ext(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(
                        new GeneralNames(new GeneralName(new X500Name("CN=Web Root"))), BigInteger.ONE))));
        refused(ReasonCode.MALFORMED, leaf(), mid, root(bc(true, -1), ku(KeyUsage.keyCertSign), ski(rootKey),
                ext(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(
                        new JcaX509ExtensionUtils().createSubjectKeyIdentifier(rootKey.getPublic()).getKeyIdentifier(),
                        new GeneralNames(new GeneralName(new X500Name("CN=Web Root"))), BigInteger.ONE))));
    }

    @Test
    void a_root_has_critical_basic_constraints_and_no_eku() {
        refused(ReasonCode.NOT_A_CA, leaf(), mid, root(ext(Extension.basicConstraints, false,
                new org.bouncycastle.asn1.x509.BasicConstraints(true)), ku(KeyUsage.keyCertSign), ski(rootKey)));
        refused(ReasonCode.WRONG_EKU, leaf(), mid, root(bc(true, -1), ku(KeyUsage.keyCertSign), ski(rootKey),
                eku(KeyPurposeId.id_kp_serverAuth)));
        passes(leaf(), mid(eku(KeyPurposeId.id_kp_serverAuth)), root); // an intermediate may carry one
        passes(leaf(), mid(ext(Extension.basicConstraints, false, new org.bouncycastle.asn1.x509.BasicConstraints(true))), root);
    }

    @Test
    void policy_constraints_must_be_critical() {
        Extension pc = ext(Extension.policyConstraints, false, new PolicyConstraints(BigInteger.ZERO, null));
        refused(ReasonCode.POLICY, leaf(), mid(pc), root);
        passes(leaf(), mid(ext(Extension.policyConstraints, true, new PolicyConstraints(BigInteger.ZERO, null))), root);
    }

    @Test
    void authority_info_access_must_parse_and_name_something() {
        Extension aia = ext(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(new AccessDescription(
                AccessDescription.id_ad_caIssuers, new GeneralName(GeneralName.uniformResourceIdentifier, "http://x.example/ca.crt"))));
        passes(leaf(aia), mid, root);
        refused(ReasonCode.MALFORMED, leaf(ext(Extension.authorityInfoAccess, false, new DERSequence())), mid, root);
        refused(ReasonCode.MALFORMED, leaf(ext(Extension.authorityInfoAccess, false, new org.bouncycastle.asn1.DERIA5String("x"))),
                mid, root);
    }

    @Test
    void subscriber_keys_are_not_dsa_nor_short_or_odd_rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(1024);
        refused(ReasonCode.WEAK_KEY, leaf("CN=hub.example.com", BigInteger.TEN, g.generateKeyPair()), mid, root);
        g.initialize(2052);
        refused(ReasonCode.WEAK_KEY, leaf("CN=hub.example.com", BigInteger.TEN, g.generateKeyPair()), mid, root);
        g.initialize(2048);
        passes(leaf("CN=hub.example.com", BigInteger.TEN, g.generateKeyPair()), mid, root);
        KeyPairGenerator d = KeyPairGenerator.getInstance("DSA");
        d.initialize(1024);
        refused(ReasonCode.UNSUPPORTED_ALGORITHM, leaf("CN=hub.example.com", BigInteger.TEN, d.generateKeyPair()), mid, root);
    }

    @Test
    void a_subscriber_serial_is_positive_and_at_most_20_octets() {
        refused(ReasonCode.MALFORMED, leaf("CN=hub.example.com", BigInteger.ZERO, leafKey), mid, root);
        refused(ReasonCode.MALFORMED, leaf("CN=hub.example.com", BigInteger.valueOf(-5), leafKey), mid, root);
        passes(leaf("CN=hub.example.com", BigInteger.ONE.shiftLeft(158), leafKey), mid, root); // 20 octets
        refused(ReasonCode.MALFORMED, leaf("CN=hub.example.com", BigInteger.ONE.shiftLeft(159), leafKey), mid, root); // 21
    }

    @Test
    void a_subscriber_eku_is_present_not_critical_and_not_any() {
        refused(ReasonCode.WRONG_EKU, leaf(ext(Extension.extendedKeyUsage, true,
                new org.bouncycastle.asn1.x509.ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))), mid, root);
        refused(ReasonCode.WRONG_EKU, leaf(eku(KeyPurposeId.anyExtendedKeyUsage)), mid, root);
        refused(ReasonCode.WRONG_EKU, leaf(eku(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.anyExtendedKeyUsage)), mid, root);
    }

    @Test
    void a_critical_san_needs_an_empty_subject() {
        Extension critical = ext(Extension.subjectAlternativeName, true,
                new GeneralNames(new GeneralName(GeneralName.dNSName, "hub.example.com")));
        refused(ReasonCode.MALFORMED, leaf(critical), mid, root);
        passes(leaf("", BigInteger.valueOf(80), leafKey, critical), mid, root);
    }

    @Test
    void dns_names_are_well_formed() {
        for (String bad : List.of("-hub.example.com", "hub-.example.com", "a..example.com", "hub_1.example.com", "h\u00fcb.example.com")) {
            refused(ReasonCode.MALFORMED, leaf("CN=device", BigInteger.TEN, leafKey, dns(bad)), mid, root);
        }
        passes(leaf("CN=device", BigInteger.TEN, leafKey, dns("*.Hub-1.example.com", "x1.example.com")), mid, root);
        assertThat(WebPkiCheck.validDnsName("a." + "b".repeat(63))).isTrue();
        assertThat(WebPkiCheck.validDnsName("a." + "b".repeat(64))).isFalse();
        String label = "c".repeat(61);
        String n253 = label + "." + label + "." + label + "." + label + "." + "a".repeat(253 - 4 * 62);
        assertThat(n253).hasSize(253);
        assertThat(WebPkiCheck.validDnsName(n253)).isTrue();
        assertThat(WebPkiCheck.validDnsName(n253 + "a")).isFalse();
        assertThat(WebPkiCheck.validDnsName("")).isFalse();
        assertThat(WebPkiCheck.validDnsName("*.")).isFalse();
        assertThat(WebPkiCheck.validDnsName("example.com.")).isFalse();
        assertThat(WebPkiCheck.validDnsName("AZ09-az.example")).isTrue();
        for (char c : new char[] {'@', '[', '`', '{', '/', ':'}) {
            assertThat(WebPkiCheck.validDnsName("a" + c + "b.example")).as("char " + c).isFalse();
        }
    }

    @Test
    void a_cn_that_repeats_a_san_repeats_it_exactly() {
        passes(leaf("CN=hub.example.com", BigInteger.TEN, leafKey), mid, root);
        passes(leaf("CN=Legacy Label", BigInteger.TEN, leafKey), mid, root);
        refused(ReasonCode.MALFORMED, leaf("CN=HUB.example.com", BigInteger.TEN, leafKey), mid, root);
        refused(ReasonCode.MALFORMED, leaf("CN=h\u00fcb.example.com", BigInteger.TEN, leafKey), mid, root);
        Extension ip4 = san(new GeneralName(GeneralName.dNSName, "hub.example.com"), new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        passes(leaf("CN=127.0.0.1", BigInteger.TEN, leafKey, ip4), mid, root);
        refused(ReasonCode.MALFORMED, leaf("CN=127.000.0.1", BigInteger.TEN, leafKey, ip4), mid, root);
        refused(ReasonCode.MALFORMED, leaf("CN=0x7f.0.0.1", BigInteger.TEN, leafKey, ip4), mid, root);
        passes(leaf("CN=10.0.0.1", BigInteger.TEN, leafKey, ip4), mid, root); // canonical, not judged
        Extension ip6 = san(new GeneralName(GeneralName.dNSName, "hub.example.com"), new GeneralName(GeneralName.iPAddress, "2001:db8::1"));
        passes(leaf("CN=2001:db8::1", BigInteger.TEN, leafKey, ip6), mid, root);
        refused(ReasonCode.MALFORMED, leaf("CN=2001:DB8::1", BigInteger.TEN, leafKey, ip6), mid, root);
        refused(ReasonCode.MALFORMED, leaf("CN=2001:db8:0:0:0:0:0:1", BigInteger.TEN, leafKey, ip6), mid, root);
    }

    @Test
    void ipv6_text_is_rfc5952() throws Exception {
        assertThat(WebPkiCheck.canonicalIp(InetAddress.getByName("10.1.2.3"))).isEqualTo("10.1.2.3");
        assertThat(WebPkiCheck.canonicalIp(InetAddress.getByName("::1"))).isEqualTo("::1");
        assertThat(WebPkiCheck.canonicalIp(InetAddress.getByName("1::"))).isEqualTo("1::");
        assertThat(WebPkiCheck.canonicalIp(InetAddress.getByName("2001:DB8:0:0:1:0:0:1"))).isEqualTo("2001:db8::1:0:0:1");
        assertThat(WebPkiCheck.canonicalIp(InetAddress.getByName("2001:db8:0:0:1:0:0:0"))).isEqualTo("2001:db8:0:0:1::");
        assertThat(WebPkiCheck.canonicalIp(InetAddress.getByName("2001:db8:0:1:1:1:1:1"))).isEqualTo("2001:db8:0:1:1:1:1:1");
        assertThat(WebPkiCheck.canonicalIp(InetAddress.getByName("ff:ff:ff:ff:ff:ff:ff:ff"))).isEqualTo("ff:ff:ff:ff:ff:ff:ff:ff");
    }

    @Test
    void a_ca_certificate_is_not_a_server_leaf() {
        refused(ReasonCode.INVALID_PATH, leaf(bc(true, 0)), mid, root);
        passes(leaf(bc(false, -1)), mid, root);
    }

    @Test
    void a_cn_not_evidently_repeating_a_san_is_not_judged() {
        // printable ASCII up to '~' is a legacy label; canonical IP text not among the SANs is not judged either
        passes(leaf("CN=Legacy~Label", BigInteger.TEN, leafKey), mid, root);
        passes(leaf("CN=2001:db8::2", BigInteger.TEN, leafKey), mid, root);
        passes(leaf("CN=10.0.0.2", BigInteger.TEN, leafKey), mid, root);
        refused(ReasonCode.MALFORMED, leaf("CN=2001:db8:0::2", BigInteger.TEN, leafKey), mid, root);
        refused(ReasonCode.MALFORMED, leaf("CN=Legacy\u007fLabel", BigInteger.TEN, leafKey), mid, root);
        // canonical IPv6 text starting with ':' is canonical; IP-like text that is no address is judged (and is no SAN)
        passes(leaf("CN=::1", BigInteger.TEN, leafKey), mid, root);
        refused(ReasonCode.MALFORMED, leaf("CN=1:2", BigInteger.TEN, leafKey), mid, root);
    }
}
