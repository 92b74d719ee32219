package dev.imprint.ca.issuance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.imprint.ca.CaException;
import dev.imprint.ca.CaException.Reason;
import dev.imprint.pki.CryptoProviders;
import dev.imprint.pki.KeyAlgorithm;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The CSR checks of issuance (key policy, proof of possession, names, CA rights, parsing), called
 * directly: no CA, no store, so each runs in milliseconds (and each PIT mutant of them too).
 */
class CsrRulesTest {
    static KeyPair ec;

    @BeforeAll
    static void keys() {
        CryptoProviders.install();
        ec = KeyAlgorithm.EC_P256.generate();
    }

    // ---- key policy ------------------------------------------------------------------

    @Test
    void accepts_p256_p384_and_ed25519_keys() throws Exception {
        assertThat(KeyPolicy.check(spki(ec))).isEqualTo("EC");
        assertThat(KeyPolicy.check(spki(ecKey("secp384r1")))).isEqualTo("EC");
        KeyPair ed = KeyPairGenerator.getInstance("Ed25519", CryptoProviders.bouncyCastle()).generateKeyPair();
        assertThat(KeyPolicy.check(spki(ed))).isEqualTo("Ed25519");
    }

    @Test
    void refuses_other_curves_and_curves_not_named() throws Exception {
        refused(() -> KeyPolicy.check(spki(ecKey("secp256k1"))), Reason.KEY_UNSUPPORTED);
        refused(() -> KeyPolicy.check(spki(ecKey("secp521r1"))), Reason.KEY_UNSUPPORTED);
        // explicit or implicit curve parameters instead of a named curve
        byte[] point = spki(ec).getPublicKeyData().getBytes();
        refused(() -> KeyPolicy.check(new SubjectPublicKeyInfo(
                new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, DERNull.INSTANCE), point)), Reason.KEY_UNSUPPORTED);
        refused(() -> KeyPolicy.check(new SubjectPublicKeyInfo(
                new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey), point)), Reason.KEY_UNSUPPORTED);
    }

    @Test
    void refuses_key_algorithms_outside_the_policy() {
        refused(() -> KeyPolicy.check(new SubjectPublicKeyInfo(
                new AlgorithmIdentifier(X9ObjectIdentifiers.id_dsa), new byte[32])), Reason.KEY_UNSUPPORTED);
        refused(() -> KeyPolicy.check(new SubjectPublicKeyInfo(
                new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed448), new byte[57])), Reason.KEY_UNSUPPORTED);
    }

    @Test
    void rsa_modulus_from_2048_to_8192_bits() {
        BigInteger f4 = BigInteger.valueOf(65537);
        refused(() -> KeyPolicy.check(rsa(2047, f4)), Reason.KEY_WEAK);
        assertThat(KeyPolicy.check(rsa(2048, f4))).isEqualTo("RSA");
        assertThat(KeyPolicy.check(rsa(8192, f4))).isEqualTo("RSA");
        refused(() -> KeyPolicy.check(rsa(8193, f4)), Reason.KEY_UNSUPPORTED);
    }

    @Test
    void rsa_exponent_odd_and_at_least_65537() {
        assertThat(KeyPolicy.check(rsa(2048, BigInteger.valueOf(65539)))).isEqualTo("RSA");
        refused(() -> KeyPolicy.check(rsa(2048, BigInteger.valueOf(65535))), Reason.KEY_WEAK);
        refused(() -> KeyPolicy.check(rsa(2048, BigInteger.valueOf(3))), Reason.KEY_WEAK);
        refused(() -> KeyPolicy.check(rsa(2048, BigInteger.valueOf(65538))), Reason.KEY_WEAK);
        refused(() -> KeyPolicy.check(rsa(2048, BigInteger.ONE.shiftLeft(17))), Reason.KEY_WEAK);
    }

    @Test
    void unreadable_rsa_key_is_malformed() {
        refused(() -> KeyPolicy.check(new SubjectPublicKeyInfo(
                new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE), new byte[] {1, 2, 3})),
                Reason.CSR_MALFORMED);
    }

    // ---- proof of possession ---------------------------------------------------------

    @Test
    void verifies_on_a_thread_that_has_no_verifier_yet() throws Exception {
        // verifiers are kept per thread: the first use on a new thread must make one, not fail
        ParsedCsr csr = parsed(ec, "SHA256withECDSA", "CN=dev-1", null);
        java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                CsrSignatures.verify(csr, "EC");
            } catch (Throwable e) {
                failed.set(e);
            }
        });
        t.start();
        t.join(30_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(failed.get()).isNull();
    }

    @Test
    void verifies_the_csr_signature_with_its_own_key() throws Exception {
        CsrSignatures.verify(parsed(ec, "SHA256withECDSA", "CN=dev-1", null), "EC");
        CsrSignatures.verify(parsed(ec, "SHA384withECDSA", "CN=dev-1", null), "EC");
        CsrSignatures.verify(parsed(ec, "SHA512withECDSA", "CN=dev-1", null), "EC");
        KeyPair ed = KeyPairGenerator.getInstance("Ed25519", CryptoProviders.bouncyCastle()).generateKeyPair();
        CsrSignatures.verify(parsed(ed, "Ed25519", "CN=dev-1", null), "Ed25519");
        // twice on one thread: the cached verifier gives the same answers
        CsrSignatures.verify(parsed(ec, "SHA256withECDSA", "CN=dev-2", null), "EC");
        refused(() -> CsrSignatures.verify(tampered(parsed(ec, "SHA256withECDSA", "CN=dev-2", null)), "EC"),
                Reason.CSR_BAD_SIGNATURE);
    }

    @Test
    void refuses_a_signature_that_does_not_verify() {
        ParsedCsr good = parsed(ec, "SHA256withECDSA", "CN=dev-1", null);
        refused(() -> CsrSignatures.verify(tampered(good), "EC"), Reason.CSR_BAD_SIGNATURE);
        // body of one key, signature of another
        ParsedCsr other = parsed(KeyAlgorithm.EC_P256.generate(), "SHA256withECDSA", "CN=dev-1", null);
        CertificationRequest forged = new CertificationRequest(good.request().getCertificationRequestInfo(),
                other.request().getSignatureAlgorithm(), other.request().getSignature());
        refused(() -> CsrSignatures.verify(ParsedCsr.parse(der(forged)), "EC"), Reason.CSR_BAD_SIGNATURE);
        // a key of one algorithm read as another
        refused(() -> CsrSignatures.verify(good, "RSA"), Reason.CSR_BAD_SIGNATURE);
    }

    @Test
    void refuses_sha1_and_unknown_signature_algorithms() {
        refused(() -> CsrSignatures.verify(parsed(ec, "SHA1withECDSA", "CN=dev-1", null), "EC"), Reason.KEY_WEAK);
        ParsedCsr good = parsed(ec, "SHA256withECDSA", "CN=dev-1", null);
        refused(() -> CsrSignatures.verify(withSignatureAlgorithm(good, PKCSObjectIdentifiers.sha1WithRSAEncryption), "EC"),
                Reason.KEY_WEAK);
        refused(() -> CsrSignatures.verify(parsed(ec, "SHA224withECDSA", "CN=dev-1", null), "EC"), Reason.KEY_UNSUPPORTED);
    }

    // ---- names -----------------------------------------------------------------------

    @Test
    void device_id_from_the_cn_the_san_or_both_when_they_agree() throws Exception {
        assertThat(CsrNames.deviceId(parsed(ec, "SHA256withECDSA", "CN=dev-1", null))).isEqualTo("dev-1");
        assertThat(CsrNames.deviceId(parsed(ec, "SHA256withECDSA", "", san(uri("urn:imprint:device:dev-2"))))).isEqualTo("dev-2");
        assertThat(CsrNames.deviceId(parsed(ec, "SHA256withECDSA", "CN=dev-3", san(uri("urn:imprint:device:dev-3")))))
                .isEqualTo("dev-3");
        // an extension request without a SAN leaves the CN as the ID
        assertThat(CsrNames.deviceId(parsed(ec, "SHA256withECDSA", "CN=dev-4", basicConstraints(false)))).isEqualTo("dev-4");
        refused(() -> CsrNames.deviceId(parsed(ec, "SHA256withECDSA", "CN=dev-3", san(uri("urn:imprint:device:dev-4")))),
                Reason.CSR_FORBIDDEN_NAMES);
    }

    @Test
    void subject_holds_one_cn_and_nothing_else() {
        refused(() -> CsrNames.deviceId(parsed(ec, "SHA256withECDSA", "CN=dev-1,O=Evil", null)), Reason.CSR_FORBIDDEN_NAMES);
        refused(() -> CsrNames.deviceId(parsed(ec, "SHA256withECDSA", "O=Evil", null)), Reason.CSR_FORBIDDEN_NAMES);
        refused(() -> CsrNames.deviceId(parsed(ec, "SHA256withECDSA", "CN=dev-1,CN=dev-2", null)), Reason.CSR_FORBIDDEN_NAMES);
        refused(() -> CsrNames.deviceId(parsed(ec, "SHA256withECDSA", "CN=dev-1+CN=dev-2", null)), Reason.CSR_FORBIDDEN_NAMES);
    }

    @Test
    void san_holds_one_device_urn_and_nothing_else() throws Exception {
        refused(() -> CsrNames.deviceId(parsed(ec, "SHA256withECDSA", "CN=dev-1",
                san(new GeneralName(GeneralName.dNSName, "bank.example")))), Reason.CSR_FORBIDDEN_NAMES);
        refused(() -> CsrNames.deviceId(parsed(ec, "SHA256withECDSA", "CN=dev-1",
                san(uri("urn:imprint:station:line-1")))), Reason.CSR_FORBIDDEN_NAMES);
        refused(() -> CsrNames.deviceId(parsed(ec, "SHA256withECDSA", "",
                san(uri("urn:imprint:device:dev-1"), uri("urn:imprint:device:dev-1")))), Reason.CSR_FORBIDDEN_NAMES);
        refused(() -> CsrNames.deviceId(parsed(ec, "SHA256withECDSA", "",
                san(uri("urn:imprint:device:dev-1"), new GeneralName(GeneralName.dNSName, "x.example")))),
                Reason.CSR_FORBIDDEN_NAMES);
        Extensions unreadable = new Extensions(new Extension(Extension.subjectAlternativeName, false,
                new DEROctetString(new ASN1Integer(5).getEncoded())));
        refused(() -> CsrNames.deviceId(parsed(ec, "SHA256withECDSA", "CN=dev-1", unreadable)), Reason.CSR_MALFORMED);
    }

    @Test
    void device_id_missing_or_invalid() {
        refused(() -> CsrNames.deviceId(parsed(ec, "SHA256withECDSA", "", null)), Reason.ID_MISSING);
        refused(() -> CsrNames.deviceId(parsed(ec, "SHA256withECDSA", "CN=", null)), Reason.ID_MISSING);
        refused(() -> CsrNames.deviceId(parsed(ec, "SHA256withECDSA", "", san(uri("urn:imprint:device:")))), Reason.ID_MISSING);
        refused(() -> CsrNames.deviceId(parsed(ec, "SHA256withECDSA", "CN=dev 1/../x", null)), Reason.ID_INVALID);
    }

    @Test
    void refuses_ca_rights_in_any_form() throws Exception {
        CsrNames.refuseCaRights(parsed(ec, "SHA256withECDSA", "CN=dev-1", null));
        CsrNames.refuseCaRights(parsed(ec, "SHA256withECDSA", "CN=dev-1", basicConstraints(false)));
        CsrNames.refuseCaRights(parsed(ec, "SHA256withECDSA", "CN=dev-1", keyUsage(KeyUsage.digitalSignature)));
        refused(() -> CsrNames.refuseCaRights(parsed(ec, "SHA256withECDSA", "CN=dev-1", basicConstraints(true))),
                Reason.CSR_ASKS_FOR_CA);
        refused(() -> CsrNames.refuseCaRights(parsed(ec, "SHA256withECDSA", "CN=dev-1", keyUsage(KeyUsage.keyCertSign))),
                Reason.CSR_ASKS_FOR_CA);
        refused(() -> CsrNames.refuseCaRights(parsed(ec, "SHA256withECDSA", "CN=dev-1",
                keyUsage(KeyUsage.digitalSignature | KeyUsage.cRLSign))), Reason.CSR_ASKS_FOR_CA);
        Extensions nc = new Extensions(new Extension(Extension.nameConstraints, true, new NameConstraints(
                new GeneralSubtree[] {new GeneralSubtree(new GeneralName(GeneralName.dNSName, "example.com"))}, null).getEncoded()));
        refused(() -> CsrNames.refuseCaRights(parsed(ec, "SHA256withECDSA", "CN=dev-1", nc)), Reason.CSR_ASKS_FOR_CA);
        Extensions badBc = new Extensions(new Extension(Extension.basicConstraints, true,
                new DEROctetString(new DERIA5String("x").getEncoded())));
        refused(() -> CsrNames.refuseCaRights(parsed(ec, "SHA256withECDSA", "CN=dev-1", badBc)), Reason.CSR_MALFORMED);
    }

    // ---- parsing ---------------------------------------------------------------------

    @Test
    void parses_the_extension_request_once() throws Exception {
        ParsedCsr p = parsed(ec, "SHA256withECDSA", "CN=dev-1", basicConstraints(false));
        assertThat(p.requestedExtensions().getExtension(Extension.basicConstraints)).isNotNull();
        assertThat(p.subject()).isEqualTo(new X500Name("CN=dev-1"));
        assertThat(p.publicKey()).isEqualTo(spki(ec));
        assertThat(parsed(ec, "SHA256withECDSA", "CN=dev-1", null).requestedExtensions()).isNull();
        // another attribute beside the extension request is ignored
        ASN1EncodableVector attrs = new ASN1EncodableVector();
        attrs.add(new Attribute(PKCSObjectIdentifiers.pkcs_9_at_challengePassword, new DERSet(new DERIA5String("pw"))));
        attrs.add(new Attribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, new DERSet(basicConstraints(true))));
        ParsedCsr withTwo = ParsedCsr.parse(rawCsr(0, new DERSet(attrs)));
        assertThat(BasicConstraints.fromExtensions(withTwo.requestedExtensions()).isCA()).isTrue();
    }

    @Test
    void refuses_malformed_requests() throws Exception {
        refused(() -> ParsedCsr.parse(new byte[] {0x30, 0x03, 0x02, 0x01, 0x00}), Reason.CSR_MALFORMED);
        refused(() -> ParsedCsr.parse("hello".getBytes()), Reason.CSR_MALFORMED);
        CaException v = refused(() -> ParsedCsr.parse(rawCsr(1, new DERSet())), Reason.CSR_MALFORMED);
        assertThat(v.getMessage()).contains("version");
        Attribute ext = new Attribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, new DERSet(basicConstraints(false)));
        CaException twice = refused(() -> ParsedCsr.parse(rawCsr(0, new DERSet(new Attribute[] {ext, ext}))), Reason.CSR_MALFORMED);
        assertThat(twice.getMessage()).contains("more than one");
        ASN1EncodableVector two = new ASN1EncodableVector();
        two.add(basicConstraints(false));
        two.add(keyUsage(KeyUsage.digitalSignature));
        CaException twoValues = refused(() -> ParsedCsr.parse(rawCsr(0, new DERSet(
                new Attribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, new DERSet(two))))), Reason.CSR_MALFORMED);
        assertThat(twoValues.getMessage()).contains("more than one");
    }

    // ---- helpers ---------------------------------------------------------------------

    static CaException refused(Executable call, Reason reason) {
        CaException e = catchThrowableOfType(call::execute, CaException.class);
        assertThat(e).as("expected refusal " + reason).isNotNull();
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
        return e;
    }

    static KeyPair ecKey(String curve) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC", CryptoProviders.bouncyCastle());
        g.initialize(new ECGenParameterSpec(curve));
        return g.generateKeyPair();
    }

    static SubjectPublicKeyInfo spki(KeyPair kp) {
        return SubjectPublicKeyInfo.getInstance(kp.getPublic().getEncoded());
    }

    /** An RSA public key with a modulus of exactly {@code bits} bits (no key generated: only the policy reads it). */
    static SubjectPublicKeyInfo rsa(int bits, BigInteger exponent) {
        BigInteger modulus = BigInteger.ONE.shiftLeft(bits - 1).setBit(0);
        try {
            return new SubjectPublicKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                    new RSAPublicKey(modulus, exponent));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static ParsedCsr parsed(KeyPair kp, String sigAlg, String subject, Extensions ext) {
        try {
            var b = new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), kp.getPublic());
            if (ext != null) {
                b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext);
            }
            return ParsedCsr.parse(b.build(new JcaContentSignerBuilder(sigAlg).setProvider(CryptoProviders.bouncyCastle())
                    .build(kp.getPrivate())).getEncoded());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A request of the given version and attributes, with a signature that is not checked by parsing. */
    static byte[] rawCsr(int version, DERSet attributes) throws Exception {
        DERSequence info = new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {
            new ASN1Integer(version), new X500Name("CN=dev-1"), spki(ec), new DERTaggedObject(false, 0, attributes)});
        return new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {
            info, new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256), new DERBitString(new byte[8])})
                .getEncoded(ASN1Encoding.DER);
    }

    static ParsedCsr tampered(ParsedCsr csr) {
        byte[] sig = csr.request().getSignature().getOctets().clone();
        sig[sig.length - 3] ^= 0x01;
        return ParsedCsr.parse(der(new CertificationRequest(csr.request().getCertificationRequestInfo(),
                csr.request().getSignatureAlgorithm(), new DERBitString(sig))));
    }

    static ParsedCsr withSignatureAlgorithm(ParsedCsr csr, org.bouncycastle.asn1.ASN1ObjectIdentifier alg) {
        return ParsedCsr.parse(der(new CertificationRequest(csr.request().getCertificationRequestInfo(),
                new AlgorithmIdentifier(alg, DERNull.INSTANCE), csr.request().getSignature())));
    }

    static byte[] der(CertificationRequest r) {
        try {
            return r.getEncoded(ASN1Encoding.DER);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static GeneralName uri(String uri) {
        return new GeneralName(GeneralName.uniformResourceIdentifier, uri);
    }

    static Extensions san(GeneralName... names) throws Exception {
        return new Extensions(new Extension(Extension.subjectAlternativeName, false, new GeneralNames(names).getEncoded()));
    }

    static Extensions basicConstraints(boolean ca) {
        try {
            return new Extensions(new Extension(Extension.basicConstraints, true, new BasicConstraints(ca).getEncoded()));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Extensions keyUsage(int bits) {
        try {
            return new Extensions(new Extension(Extension.keyUsage, true, new KeyUsage(bits).getEncoded()));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
