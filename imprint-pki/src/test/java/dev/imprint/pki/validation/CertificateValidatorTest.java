package dev.imprint.pki.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.pki.validation.crl.CrlCache;
import dev.imprint.testkit.TestPki;
import java.math.BigInteger;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every reason code, each with a certificate made for it, and the good case beside it. */
class CertificateValidatorTest {
    static TestPki pki;
    static TestPki.Issued good;
    static CertificateValidator validator;

    @BeforeAll
    static void setUp() {
        pki = TestPki.create();
        good = pki.device("dev-001");
        validator = CertificateValidator.builder().trustAnchor(pki.root()).revocation(RevocationSource.NONE).build();
    }

    static ValidationRequest.Builder request(TestPki.Issued d) {
        return ValidationRequest.builder().chain(d.chain()).possession(PossessionProof.tlsHandshake())
                .requiredEku(Eku.CLIENT_AUTH);
    }

    static Verdict.Refused refused(Verdict v, ReasonCode code, Verdict.Step step) {
        assertThat(v).isInstanceOf(Verdict.Refused.class);
        Verdict.Refused r = (Verdict.Refused) v;
        assertThat(r.reason()).as(r.detail()).isEqualTo(code);
        assertThat(r.step()).isEqualTo(step);
        return r;
    }

    static void accepted(Verdict v) {
        assertThat(v).as(v.toString()).isInstanceOf(Verdict.Accepted.class);
    }

    @Test
    void accepts_good_device_with_identity_from_san_uri_and_full_path() {
        Verdict v = validator.validate(request(good).build());
        accepted(v);
        Verdict.Accepted a = (Verdict.Accepted) v;
        assertThat(a.identity()).isEqualTo(TestPki.deviceUri("dev-001"));
        assertThat(a.path()).containsExactly(good.cert(), pki.intermediate(), pki.root());
    }

    @Test
    void accepts_chain_with_extra_and_unordered_certificates() {
        TestPki.Issued other = pki.device("dev-x");
        List<X509Certificate> chain = new ArrayList<>(List.of(good.cert(), pki.root(), other.cert(), pki.intermediate()));
        accepted(validator.validate(ValidationRequest.builder().chain(chain).possession(PossessionProof.tlsHandshake()).build()));
    }

    @Test
    void refuses_everything_without_trust_anchors() {
        CertificateValidator empty = CertificateValidator.builder().revocation(RevocationSource.NONE).build();
        refused(empty.validate(request(good).build()), ReasonCode.NO_TRUST_ANCHORS, Verdict.Step.PATH);
    }

    @Test
    void refuses_bytes_that_are_not_a_certificate() {
        Verdict v = validator.validate(ValidationRequest.builder().chainDer(List.of(new byte[] {0x30, 0x03, 1, 2, 3}))
                .possession(PossessionProof.tlsHandshake()).build());
        refused(v, ReasonCode.MALFORMED, Verdict.Step.WELL_FORMED_AND_POSSESSION);
        accepted(validator.validate(ValidationRequest.builder().chainDer(der(good.chain()))
                .possession(PossessionProof.tlsHandshake()).build()));
    }

    @Test
    void refuses_request_without_possession_proof() {
        refused(validator.validate(ValidationRequest.builder().chain(good.chain()).build()),
                ReasonCode.NO_POSSESSION_PROOF, Verdict.Step.WELL_FORMED_AND_POSSESSION);
    }

    @Test
    void checks_csr_possession_both_ways() throws Exception {
        byte[] own = csr(good.key());
        accepted(validator.validate(request(good).possession(PossessionProof.csr(own)).build()));
        byte[] foreign = csr(pki.device("dev-other").key());
        refused(validator.validate(request(good).possession(PossessionProof.csr(foreign)).build()),
                ReasonCode.BAD_POSSESSION_SIGNATURE, Verdict.Step.WELL_FORMED_AND_POSSESSION);
        refused(validator.validate(request(good).possession(PossessionProof.csr(new byte[] {1, 2})).build()),
                ReasonCode.MALFORMED, Verdict.Step.WELL_FORMED_AND_POSSESSION);
    }

    @Test
    void checks_challenge_possession_both_ways() throws Exception {
        byte[] data = "nonce-123".getBytes();
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(good.key().getPrivate());
        s.update(data);
        byte[] sig = s.sign();
        accepted(validator.validate(request(good).possession(PossessionProof.challenge(data, sig, "SHA256withECDSA")).build()));
        refused(validator.validate(request(good).possession(PossessionProof.challenge("other".getBytes(), sig, "SHA256withECDSA")).build()),
                ReasonCode.BAD_POSSESSION_SIGNATURE, Verdict.Step.WELL_FORMED_AND_POSSESSION);
        refused(validator.validate(request(good).possession(PossessionProof.challenge(data, sig, "NoSuchAlg")).build()),
                ReasonCode.UNSUPPORTED_ALGORITHM, Verdict.Step.WELL_FORMED_AND_POSSESSION);
    }

    @Test
    void rejects_weak_rsa_1024_key() {
        TestPki.Issued weak = pki.weakKeyDevice("dev-weak");
        refused(validator.validate(request(weak).build()), ReasonCode.WEAK_KEY, Verdict.Step.WELL_FORMED_AND_POSSESSION);
        // a configured lower floor applies to device chains, never to the WebPKI profile (2048 there)
        CertificateValidator lenient = CertificateValidator.builder().trustAnchor(pki.root()).revocation(RevocationSource.NONE)
                .minRsaBits(1024).build();
        accepted(lenient.validate(request(weak).build()));
        refused(lenient.validate(request(weak).profile(Profile.WEB_PKI).build()), ReasonCode.WEAK_KEY,
                Verdict.Step.WELL_FORMED_AND_POSSESSION);
    }

    @Test
    void rejects_device_signed_by_foreign_ca_with_same_subject() {
        TestPki foreign = TestPki.foreignWithSameSubjects(pki);
        refused(validator.validate(request(foreign.device("dev-001")).build()), ReasonCode.BAD_SIGNATURE, Verdict.Step.PATH);
    }

    @Test
    void rejects_device_of_unknown_issuer() {
        TestPki other = TestPki.create("CN=Other Root", "CN=Other Issuing CA");
        CertificateValidator otherTrust = CertificateValidator.builder().trustAnchor(other.root())
                .revocation(RevocationSource.NONE).build();
        refused(otherTrust.validate(request(good).build()), ReasonCode.UNKNOWN_ISSUER, Verdict.Step.PATH);
        // the intermediate missing from the chain: no path either
        refused(validator.validate(ValidationRequest.builder().chain(good.cert()).possession(PossessionProof.tlsHandshake()).build()),
                ReasonCode.UNKNOWN_ISSUER, Verdict.Step.PATH);
    }

    @Test
    void rejects_expired_and_not_yet_valid_devices() {
        refused(validator.validate(request(pki.expiredDevice("dev-old")).build()), ReasonCode.EXPIRED, Verdict.Step.PATH);
        refused(validator.validate(request(pki.notYetValidDevice("dev-new")).build()), ReasonCode.NOT_YET_VALID, Verdict.Step.PATH);
        // validity is judged at the requested time: the expired one was fine last week
        TestPki.Issued old = pki.expiredDevice("dev-old2");
        accepted(validator.validate(request(old).time(pki.now().minus(Duration.ofDays(7))).build()));
    }

    @Test
    void rejects_device_under_non_ca_intermediate() {
        refused(validator.validate(request(pki.deviceUnderNonCa("dev-nca")).build()), ReasonCode.NOT_A_CA, Verdict.Step.PATH);
    }

    @Test
    void rejects_chain_past_path_length() {
        refused(validator.validate(request(pki.devicePastPathLen("dev-pl")).build()), ReasonCode.PATH_LENGTH_EXCEEDED, Verdict.Step.PATH);
    }

    @Test
    void rejects_chain_deeper_than_allowed() {
        TestPki.Issued deep = pki.deviceWithDeepChain("dev-deep", 3); // 4 intermediates
        refused(validator.validate(request(deep).maxDepth(2).build()), ReasonCode.CHAIN_TOO_DEEP, Verdict.Step.PATH);
        accepted(validator.validate(request(deep).maxDepth(4).build()));
    }

    @Test
    void rejects_missing_required_key_usage() {
        refused(validator.validate(request(good).requiredKeyUsage(EnumSet.of(KeyUsageBit.KEY_AGREEMENT)).build()),
                ReasonCode.KEY_USAGE, Verdict.Step.PATH);
        accepted(validator.validate(request(good).requiredKeyUsage(EnumSet.of(KeyUsageBit.DIGITAL_SIGNATURE)).build()));
    }

    @Test
    void rejects_device_with_wrong_eku() {
        refused(validator.validate(request(pki.deviceWithWrongEku("dev-srv")).build()), ReasonCode.WRONG_EKU, Verdict.Step.PATH);
    }

    @Test
    void enforces_name_constraints_both_ways() {
        refused(validator.validate(request(pki.deviceViolatingNameConstraints("dev-nc")).build()),
                ReasonCode.NAME_CONSTRAINTS, Verdict.Step.PATH);
        CertificateValidator byUri = CertificateValidator.builder().trustAnchor(pki.root()).revocation(RevocationSource.NONE).build();
        accepted(byUri.validate(request(pki.deviceWithinNameConstraints("dev-in")).build()));
    }

    @Test
    void enforces_name_constraints_on_the_trust_anchor() {
        // trust the constrained CA itself: its constraints still bind
        TestPki.Issued out = pki.deviceViolatingNameConstraints("dev-nc2");
        CertificateValidator anchoredBelow = CertificateValidator.builder().trustAnchor(out.chain().get(1))
                .revocation(RevocationSource.NONE).build();
        refused(anchoredBelow.validate(request(out).build()), ReasonCode.NAME_CONSTRAINTS, Verdict.Step.PATH);
    }

    @Test
    void rejects_unknown_critical_extension() {
        refused(validator.validate(request(pki.deviceWithUnknownCriticalExtension("dev-ext")).build()),
                ReasonCode.UNKNOWN_CRITICAL_EXTENSION, Verdict.Step.PATH);
    }

    @Test
    void rejects_when_explicit_policy_is_required_and_absent() {
        PolicyInputs explicit = new PolicyInputs(Set.of("1.2.3.4"), true, false, false);
        refused(validator.validate(request(good).policy(explicit).build()), ReasonCode.POLICY, Verdict.Step.PATH);
    }

    @Test
    void gives_up_on_hostile_chains_within_bounded_work() {
        TestPki foreign = TestPki.create();
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(good.cert());
        for (int i = 0; i < 300; i++) { // 300 look-alike issuers, none of which signed the leaf
            chain.add(foreign.cert(pki.intermediate().getSubjectX500Principal().getName(), foreign.rootCa()).ca(-1).issue().cert());
        }
        long t0 = System.nanoTime();
        Verdict v = validator.validate(ValidationRequest.builder().chain(chain).possession(PossessionProof.tlsHandshake()).build());
        refused(v, ReasonCode.PATH_BUILDING_LIMIT, Verdict.Step.PATH);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void revoked_device_is_refused_and_others_pass() throws Exception {
        TestPki local = TestPki.create();
        TestPki.Issued revoked = local.revokedDevice("dev-rev");
        TestPki.Issued fine = local.device("dev-fine");
        try (CrlCache crls = CrlCache.builder().fetch(false).build()) {
            crls.add(local.crl());
            crls.add(local.crl(local.rootCa(), local.now().minusSeconds(60), local.now().plusSeconds(86400), List.of()));
            CertificateValidator v = CertificateValidator.builder().trustAnchor(local.root()).revocation(crls).build();
            refused(v.validate(request(revoked).build()), ReasonCode.REVOKED, Verdict.Step.REVOCATION);
            accepted(v.validate(request(fine).build()));
        }
    }

    @Test
    void stale_crl_fails_closed_unless_within_grace() throws Exception {
        TestPki local = TestPki.create();
        TestPki.Issued fine = local.device("dev-fine");
        var rootCrl = local.crl(local.rootCa(), local.now().minusSeconds(60), local.now().plusSeconds(86400), List.of());
        try (CrlCache strict = CrlCache.builder().fetch(false).build();
             CrlCache lenient = CrlCache.builder().fetch(false).grace(Duration.ofDays(2)).build()) {
            for (CrlCache c : List.of(strict, lenient)) {
                c.add(local.staleCrl());
                c.add(rootCrl);
            }
            refused(CertificateValidator.builder().trustAnchor(local.root()).revocation(strict).build()
                    .validate(request(fine).build()), ReasonCode.CRL_STALE, Verdict.Step.REVOCATION);
            accepted(CertificateValidator.builder().trustAnchor(local.root()).revocation(lenient).build()
                    .validate(request(fine).build()));
        }
    }

    @Test
    void missing_crl_fails_closed() {
        try (CrlCache none = CrlCache.builder().fetch(false).build()) {
            refused(CertificateValidator.builder().trustAnchor(pki.root()).revocation(none).build()
                    .validate(request(good).build()), ReasonCode.CRL_UNAVAILABLE, Verdict.Step.REVOCATION);
        }
    }

    @Test
    void crl_signed_by_foreign_key_is_invalid() throws Exception {
        TestPki local = TestPki.create();
        TestPki foreign = TestPki.foreignWithSameSubjects(local);
        TestPki.Issued fine = local.device("dev-fine");
        try (CrlCache crls = CrlCache.builder().fetch(false).build()) {
            crls.add(foreign.crl(foreign.issuingCa(), local.now().minusSeconds(60), local.now().plusSeconds(3600),
                    List.<BigInteger>of()));
            crls.add(local.crl(local.rootCa(), local.now().minusSeconds(60), local.now().plusSeconds(86400), List.of()));
            Verdict v = CertificateValidator.builder().trustAnchor(local.root()).revocation(crls).build().validate(request(fine).build());
            // the foreign CRL names another key (AKI) or fails its signature: either way not usable
            assertThat(((Verdict.Refused) v).reason()).isIn(ReasonCode.CRL_INVALID, ReasonCode.CRL_UNAVAILABLE);
        }
    }

    // ---- CRLs signed by a separate CRL-signing certificate (CertificateValidator.SignerContext) ----

    /** A CRL signer with the issuing CA's name and its own key, issued by {@code by}. */
    private static TestPki.Ca crlSigner(TestPki local, TestPki.Ca by) {
        return local.cert(local.intermediate().getSubjectX500Principal().getName(), by).ca(0).issue();
    }

    /** The issuing CA's CRL, signed by {@code signer}, listing {@code serials}. */
    private static java.security.cert.X509CRL signedBy(TestPki local, TestPki.Ca signer, List<BigInteger> serials) {
        return local.crl(signer, local.now().minusSeconds(60), local.now().plusSeconds(86400), serials);
    }

    private static ValidationRequest presenting(TestPki.Issued d, TestPki.Ca signer) {
        List<X509Certificate> chain = new ArrayList<>(d.chain());
        chain.add(signer.cert());
        return request(d).chain(chain).build();
    }

    @Test
    void crl_from_a_separate_signer_with_its_own_path_to_the_anchor_is_trusted() throws Exception {
        TestPki local = TestPki.create();
        TestPki.Ca signer = crlSigner(local, local.rootCa());
        TestPki.Issued fine = local.device("dev-fine");
        TestPki.Issued listed = local.device("dev-listed");
        try (CrlCache crls = CrlCache.builder().fetch(false).build()) {
            crls.add(signedBy(local, signer, List.of(listed.cert().getSerialNumber())));
            crls.add(local.crl(local.rootCa(), local.now().minusSeconds(60), local.now().plusSeconds(86400), List.of()));
            CertificateValidator v = CertificateValidator.builder().trustAnchor(local.root()).revocation(crls).build();
            accepted(v.validate(presenting(fine, signer)));
            refused(v.validate(presenting(listed, signer)), ReasonCode.REVOKED, Verdict.Step.REVOCATION);
            // the signer is found only where it was presented (or is an anchor): absent, the CRL has no signer
            refused(v.validate(request(fine).build()), ReasonCode.CRL_INVALID, Verdict.Step.REVOCATION);
        }
        // issued by the CA itself: its path runs through the CA, and its own status is on the CRL it signs
        TestPki.Ca byCa = crlSigner(local, local.issuingCa());
        try (CrlCache crls = CrlCache.builder().fetch(false).build()) {
            crls.add(signedBy(local, byCa, List.of(listed.cert().getSerialNumber())));
            crls.add(local.crl(local.rootCa(), local.now().minusSeconds(60), local.now().plusSeconds(86400), List.of()));
            CertificateValidator v = CertificateValidator.builder().trustAnchor(local.root()).revocation(crls).build();
            accepted(v.validate(presenting(fine, byCa)));
            refused(v.validate(presenting(listed, byCa)), ReasonCode.REVOKED, Verdict.Step.REVOCATION);
        }
    }

    @Test
    void separate_crl_signers_nest_at_most_three_deep() throws Exception {
        TestPki local = TestPki.create();
        TestPki.Ca a = local.cert("CN=Nest A", local.rootCa()).ca(-1).issue();
        TestPki.Ca b = local.cert("CN=Nest B", a).ca(-1).issue();
        TestPki.Ca c = local.cert("CN=Nest C", b).ca(-1).issue();
        TestPki.Issued leaf = local.cert("CN=dev-nest", c).device("dev-nest").issueLeafVia(c, b, a);
        // each CA's CRL is signed by a separate signer issued by the CA above it
        TestPki.Ca sc = local.cert("CN=Nest C", b).ca(0).issue();
        TestPki.Ca sb = local.cert("CN=Nest B", a).ca(0).issue();
        TestPki.Ca sa = local.cert("CN=Nest A", local.rootCa()).ca(0).issue();
        TestPki.Ca sr = local.cert(local.root().getSubjectX500Principal().getName(), local.rootCa()).ca(0).issue();
        List<X509Certificate> chain = new ArrayList<>(leaf.chain());
        chain.addAll(List.of(sc.cert(), sb.cert(), sa.cert(), sr.cert()));
        ValidationRequest req = request(leaf).chain(chain).build();
        Instant from = local.now().minusSeconds(60);
        Instant to = local.now().plusSeconds(86400);
        for (boolean rootSignsItself : List.of(true, false)) {
            try (CrlCache crls = CrlCache.builder().fetch(false).build()) {
                crls.add(local.crl(sc, from, to, List.of()));
                crls.add(local.crl(sb, from, to, List.of()));
                crls.add(local.crl(sa, from, to, List.of()));
                crls.add(local.crl(rootSignsItself ? local.rootCa() : sr, from, to, List.of()));
                Verdict v = CertificateValidator.builder().trustAnchor(local.root()).revocation(crls).build().validate(req);
                if (rootSignsItself) {
                    accepted(v); // signers at depths 0, 1, 2
                } else {
                    // the leaf's signer needs B's, which needs A's, which needs the root's: a fourth level
                    refused(v, ReasonCode.CRL_INVALID, Verdict.Step.REVOCATION);
                }
            }
        }
    }

    @Test
    void crl_from_a_signer_whose_own_path_fails_is_not_trusted() throws Exception {
        TestPki local = TestPki.create();
        String issuingDn = local.intermediate().getSubjectX500Principal().getName();
        TestPki other = TestPki.create("CN=Other Root", "CN=Other Issuing CA");
        List<TestPki.Ca> rogues = List.of(
                local.cert(issuingDn, null).ca(-1).issue(),                                       // self-signed
                crlSigner(local, TestPki.foreignWithSameSubjects(local).rootCa()),               // foreign CA, same root name
                crlSigner(local, other.rootCa()),                                                // another anchor
                local.cert(issuingDn, local.rootCa()).ca(0)                                      // expired
                        .validity(local.now().minus(Duration.ofDays(30)), local.now().minus(Duration.ofDays(1))).issue());
        TestPki.Issued fine = local.device("dev-fine");
        try (CrlCache crls = CrlCache.builder().fetch(false).build()) {
            crls.add(local.crl(local.rootCa(), local.now().minusSeconds(60), local.now().plusSeconds(86400), List.of()));
            crls.add(other.crl(other.rootCa(), local.now().minusSeconds(60), local.now().plusSeconds(86400), List.of()));
            for (TestPki.Ca rogue : rogues) {
                crls.add(signedBy(local, rogue, List.of()));
            }
            // both roots trusted, so the other-anchor signer has a valid path, only not to the leaf's anchor
            CertificateValidator v = CertificateValidator.builder().trustAnchor(local.root()).trustAnchor(other.root())
                    .revocation(crls).build();
            for (TestPki.Ca rogue : rogues) {
                refused(v.validate(presenting(fine, rogue)), ReasonCode.CRL_INVALID, Verdict.Step.REVOCATION);
            }
        }
    }

    @Test
    void crl_from_a_revoked_signer_is_not_trusted() throws Exception {
        TestPki local = TestPki.create();
        TestPki.Ca signer = crlSigner(local, local.rootCa());
        TestPki.Issued fine = local.device("dev-fine");
        try (CrlCache crls = CrlCache.builder().fetch(false).build()) {
            crls.add(signedBy(local, signer, List.of()));
            crls.add(local.crl(local.rootCa(), local.now().minusSeconds(60), local.now().plusSeconds(86400),
                    List.of(signer.cert().getSerialNumber())));
            CertificateValidator v = CertificateValidator.builder().trustAnchor(local.root()).revocation(crls).build();
            refused(v.validate(presenting(fine, signer)), ReasonCode.CRL_INVALID, Verdict.Step.REVOCATION);
        }
    }

    @Test
    void refuses_another_devices_id() {
        refused(validator.validate(request(good).expectedIdentity(TestPki.deviceUri("dev-002")).build()),
                ReasonCode.IDENTITY_MISMATCH, Verdict.Step.IDENTITY);
        accepted(validator.validate(request(good).expectedIdentity(TestPki.deviceUri("dev-001")).build()));
    }

    @Test
    void takes_identity_from_configured_source_or_refuses() {
        CertificateValidator byCn = CertificateValidator.builder().trustAnchor(pki.root()).revocation(RevocationSource.NONE)
                .identitySources(IdentitySource.SUBJECT_CN).build();
        assertThat(((Verdict.Accepted) byCn.validate(request(good).build())).identity()).isEqualTo("dev-001");
        CertificateValidator byDns = CertificateValidator.builder().trustAnchor(pki.root()).revocation(RevocationSource.NONE)
                .identitySources(IdentitySource.SAN_DNS).build();
        refused(byDns.validate(request(good).build()), ReasonCode.NO_IDENTITY, Verdict.Step.IDENTITY);
    }

    @Test
    void authorization_hook_decides_last() {
        Authorizer onlyDev001 = (id, path) -> id.endsWith(":dev-001") ? AuthorizationDecision.granted()
                : AuthorizationDecision.denied("no enrollment for " + id);
        accepted(validator.validate(request(good).authorizer(onlyDev001).build()));
        Verdict.Refused r = refused(validator.validate(request(pki.device("dev-009")).authorizer(onlyDev001).build()),
                ReasonCode.NOT_AUTHORIZED, Verdict.Step.AUTHORIZATION);
        assertThat(r.detail()).contains("no enrollment");
        refused(validator.validate(request(good).authorizer((id, p) -> { throw new IllegalStateException("db down"); }).build()),
                ReasonCode.INTERNAL_ERROR, Verdict.Step.AUTHORIZATION);
    }

    private static List<byte[]> der(List<X509Certificate> certs) {
        List<byte[]> out = new ArrayList<>();
        for (X509Certificate c : certs) {
            try {
                out.add(c.getEncoded());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    private static byte[] csr(java.security.KeyPair key) throws Exception {
        return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=csr"), key.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())).getEncoded();
    }
}
