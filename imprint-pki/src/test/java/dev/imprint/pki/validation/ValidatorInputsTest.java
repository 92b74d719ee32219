package dev.imprint.pki.validation;

import static dev.imprint.pki.validation.CertificateValidatorTest.accepted;
import static dev.imprint.pki.validation.CertificateValidatorTest.refused;
import static dev.imprint.pki.validation.PathCheckerTest.NOW;
import static dev.imprint.pki.validation.PathCheckerTest.cert;
import static dev.imprint.pki.validation.PathCheckerTest.future;
import static dev.imprint.pki.validation.PathCheckerTest.leaf;
import static dev.imprint.pki.validation.PathCheckerTest.mid;
import static dev.imprint.pki.validation.PathCheckerTest.midKey;
import static dev.imprint.pki.validation.PathCheckerTest.past;
import static dev.imprint.pki.validation.PathCheckerTest.request;
import static dev.imprint.pki.validation.PathCheckerTest.root;
import static dev.imprint.pki.validation.PathCheckerTest.san;
import static dev.imprint.pki.validation.PathCheckerTest.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What callers configure: EKU names, the validator's builder (depth, clock), policy inputs, and key kinds it refuses. */
class ValidatorInputsTest {
    @BeforeAll
    static void keys() {
        PathCheckerTest.keys();
    }

    @Test
    void eku_names_and_oids() {
        assertThat(Eku.parse(" ServerAuth ")).isEqualTo(Eku.SERVER_AUTH);
        assertThat(Eku.parse("clientAuth")).isEqualTo(Eku.CLIENT_AUTH);
        assertThat(Eku.parse("codeSigning")).isEqualTo(Eku.CODE_SIGNING);
        assertThat(Eku.parse("emailProtection")).isEqualTo(Eku.EMAIL_PROTECTION);
        assertThat(Eku.parse("timeStamping")).isEqualTo(Eku.TIME_STAMPING);
        assertThat(Eku.parse("OCSPSigning")).isEqualTo(Eku.OCSP_SIGNING);
        assertThat(Eku.parse("anyExtendedKeyUsage")).isEqualTo(Eku.ANY);
        assertThat(Eku.parse("1.3.6.1.4.1.55555.7")).isEqualTo("1.3.6.1.4.1.55555.7");
        assertThatThrownBy(() -> Eku.parse("clientauthx")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Eku.parse("3.1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void builder_settings_are_checked_and_used() {
        CertificateValidator.Builder b = CertificateValidator.builder();
        assertThatThrownBy(() -> b.maxDepth(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.identitySources()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class);
        assertThat(b.maxDepth(0)).isSameAs(b);
        assertThat(b.signatureCacheSize(0)).isSameAs(b);
        assertThat(b.minRsaBits(2048)).isSameAs(b);
        X509Certificate m = mid(-1);
        X509Certificate l = leaf("dev-in", m, midKey);
        // maxDepth 0: the one intermediate is too many
        CertificateValidator shallow = b.trustAnchor(root).revocation(RevocationSource.NONE).build();
        refused(shallow.validate(request(l, m).build()), ReasonCode.CHAIN_TOO_DEEP, Verdict.Step.PATH);
        // the clock is the validation time when the request names none
        CertificateValidator later = CertificateValidator.builder().trustAnchor(root).revocation(RevocationSource.NONE)
                .clock(Clock.fixed(NOW.plus(Duration.ofDays(60)), ZoneOffset.UTC)).build();
        refused(later.validate(request(l, m).build()), ReasonCode.EXPIRED, Verdict.Step.PATH);
        accepted(later.validate(request(l, m).time(NOW).build()));
    }

    @Test
    void a_key_of_no_signature_algorithm_is_refused() throws Exception {
        KeyPair x = KeyPairGenerator.getInstance("X25519").generateKeyPair();
        X509Certificate m = mid(-1);
        X509Certificate l = cert("CN=dev-x", x, "CN=PC Mid", midKey.getPrivate(), past(), future(), san(uri("dev-x")));
        refused(PathCheckerTest.validate(root, l, m), ReasonCode.UNSUPPORTED_ALGORITHM, Verdict.Step.WELL_FORMED_AND_POSSESSION);
    }

    @Test
    void policy_inputs_are_default_only_when_they_cannot_fail_a_path() {
        assertThat(PolicyInputs.ANY.isDefault()).isTrue();
        String p = "1.3.6.1.4.1.55555.10";
        assertThat(new PolicyInputs(Set.of(p), false, false, false).isDefault()).isFalse();
        assertThat(new PolicyInputs(Set.of(PolicyInputs.ANY_POLICY), true, false, false).isDefault()).isFalse();
        assertThat(new PolicyInputs(Set.of(PolicyInputs.ANY_POLICY), false, true, false).isDefault()).isFalse();
        assertThat(new PolicyInputs(Set.of(PolicyInputs.ANY_POLICY), false, false, true).isDefault()).isFalse();
    }

    @Test
    void an_anchor_is_known_by_its_encoding_not_its_name() {
        X509Certificate m = mid(-1);
        AnchorSet anchors = new AnchorSet(java.util.List.of(root, m));
        assertThat(anchors.contains(root)).isTrue();
        assertThat(anchors.contains(m)).isTrue();
        X509Certificate sameName = mid(-1); // another serial under the same subject
        assertThat(anchors.contains(sameName)).isFalse();
        assertThat(anchors.contains(leaf("dev-an", m, midKey))).isFalse();
        assertThat(CrlSigners.NONE.trusted(m, NOW)).isFalse();
        assertThat(CrlSigners.NONE.named(m.getSubjectX500Principal())).isEmpty();
    }

    @Test
    void the_subject_dn_can_be_the_identity() {
        X509Certificate m = mid(-1);
        CertificateValidator byDn = CertificateValidator.builder().trustAnchor(root).revocation(RevocationSource.NONE)
                .identitySources(IdentitySource.SUBJECT_DN).build();
        Verdict v = byDn.validate(request(leaf("dev-dn", m, midKey), m).build());
        accepted(v);
        assertThat(((Verdict.Accepted) v).identity()).isEqualTo("CN=dev-dn");
    }
}
