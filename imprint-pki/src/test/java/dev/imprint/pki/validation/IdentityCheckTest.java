package dev.imprint.pki.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Step 4 on its own: where the identity comes from, and how peer names match (RFC 6125), both ways. */
class IdentityCheckTest {
    static X509Certificate many;

    @BeforeAll
    static void cert() {
        PathCheckerTest.keys();
        many = PathCheckerTest.cert("O=Acme,CN=first,CN=dev-9", PathCheckerTest.leafKey, "CN=PC Root",
                PathCheckerTest.rootKey.getPrivate(), PathCheckerTest.past(), PathCheckerTest.future(),
                PathCheckerTest.ku(KeyUsage.digitalSignature), PathCheckerTest.san(
                        new GeneralName(GeneralName.dNSName, "hub.example.com"),
                        new GeneralName(GeneralName.dNSName, "other.example.com"),
                        new GeneralName(GeneralName.rfc822Name, "Ops@Example.com"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.9"),
                        new GeneralName(GeneralName.uniformResourceIdentifier, "urn:imprint:device:dev-9"),
                        new GeneralName(GeneralName.uniformResourceIdentifier, "urn:imprint:device:dev-10")));
    }

    private static String identity(ValidationRequest.Builder request, IdentitySource... sources) {
        return IdentityCheck.extract(many, List.of(sources), request.build());
    }

    private static ValidationRequest.Builder request() {
        return ValidationRequest.builder().chain(many).possession(PossessionProof.tlsHandshake());
    }

    private static void refused(Runnable call, ReasonCode code) {
        Refusal r = org.assertj.core.api.Assertions.catchThrowableOfType(call::run, Refusal.class);
        assertThat(r).as("expected " + code).isNotNull();
        assertThat(r.code).as(r.getMessage()).isEqualTo(code);
    }

    @Test
    void the_first_source_with_a_value_wins() {
        assertThat(identity(request(), IdentitySource.SAN_URI)).isEqualTo("urn:imprint:device:dev-9");
        assertThat(identity(request(), IdentitySource.SAN_DNS)).isEqualTo("hub.example.com");
        assertThat(identity(request(), IdentitySource.SAN_RFC822)).isEqualTo("Ops@Example.com");
        assertThat(identity(request(), IdentitySource.SAN_IP)).isEqualTo("127.0.0.9");
        assertThat(identity(request(), IdentitySource.SUBJECT_CN)).isEqualTo("dev-9"); // the last CN
        assertThat(identity(request(), IdentitySource.SUBJECT_DN)).isEqualTo(many.getSubjectX500Principal().getName());
        X509Certificate bare = PathCheckerTest.cert("O=Acme", PathCheckerTest.leafKey, "CN=PC Root",
                PathCheckerTest.rootKey.getPrivate(), PathCheckerTest.past(), PathCheckerTest.future());
        assertThat(IdentityCheck.extract(bare, List.of(IdentitySource.SAN_URI, IdentitySource.SUBJECT_CN, IdentitySource.SUBJECT_DN),
                ValidationRequest.builder().chain(bare).possession(PossessionProof.tlsHandshake()).build())).isEqualTo("O=Acme");
        refused(() -> IdentityCheck.extract(bare, List.of(IdentitySource.SAN_URI, IdentitySource.SUBJECT_CN),
                ValidationRequest.builder().chain(bare).possession(PossessionProof.tlsHandshake()).build()), ReasonCode.NO_IDENTITY);
        assertThat(IdentityCheck.commonName(bare)).isNull();
    }

    @Test
    void the_expected_identity_must_be_the_one_found() {
        assertThat(identity(request().expectedIdentity("urn:imprint:device:dev-9"), IdentitySource.SAN_URI))
                .isEqualTo("urn:imprint:device:dev-9");
        refused(() -> identity(request().expectedIdentity("urn:imprint:device:dev-10"), IdentitySource.SAN_URI),
                ReasonCode.IDENTITY_MISMATCH);
    }

    @Test
    void every_peer_name_must_match_a_san_of_its_kind() {
        identity(request().peerName(PeerName.parse("dns:HUB.example.com")).peerName(PeerName.parse("ip:127.0.0.9"))
                .peerName(PeerName.parse("rfc822:Ops@example.COM")).peerName(PeerName.parse("uri:urn:imprint:device:dev-10")),
                IdentitySource.SAN_URI);
        refused(() -> identity(request().peerName(PeerName.parse("dns:hub.example.com")).peerName(PeerName.parse("dns:x.example.com")),
                IdentitySource.SAN_URI), ReasonCode.IDENTITY_MISMATCH);
        refused(() -> identity(request().peerName(PeerName.parse("ip:127.0.0.8")), IdentitySource.SAN_URI), ReasonCode.IDENTITY_MISMATCH);
        refused(() -> identity(request().peerName(PeerName.parse("rfc822:ops@example.com")), IdentitySource.SAN_URI),
                ReasonCode.IDENTITY_MISMATCH); // the local part is case-sensitive
        refused(() -> identity(request().peerName(PeerName.parse("uri:urn:imprint:device:dev-1")), IdentitySource.SAN_URI),
                ReasonCode.IDENTITY_MISMATCH);
        // a name of one kind never matches a SAN of another
        refused(() -> identity(request().peerName(PeerName.parse("dns:127.0.0.9")), IdentitySource.SAN_URI), ReasonCode.IDENTITY_MISMATCH);
        refused(() -> identity(request().peerName(PeerName.parse("uri:hub.example.com")), IdentitySource.SAN_URI),
                ReasonCode.IDENTITY_MISMATCH);
        refused(() -> identity(request().peerName(PeerName.parse("ip:hub.example.com")), IdentitySource.SAN_URI),
                ReasonCode.IDENTITY_MISMATCH);
    }

    @Test
    void dns_names_match_exactly_or_by_one_leftmost_wildcard_label() {
        assertThat(IdentityCheck.dnsMatches("hub.example.com", "HUB.Example.com.")).isTrue();
        assertThat(IdentityCheck.dnsMatches("hub.example.com", "hub2.example.com")).isFalse();
        assertThat(IdentityCheck.dnsMatches("*.example.com", "hub.example.com")).isTrue();
        assertThat(IdentityCheck.dnsMatches("*.example.com", "a.hub.example.com")).isFalse();
        assertThat(IdentityCheck.dnsMatches("*.example.com", "example.com")).isFalse();
        assertThat(IdentityCheck.dnsMatches("*.example.com", ".example.com")).isFalse();
        assertThat(IdentityCheck.dnsMatches("*.com", "example.com")).isFalse();
        assertThat(IdentityCheck.dnsMatches("*.*.example.com", "a.b.example.com")).isFalse();
        assertThat(IdentityCheck.dnsMatches("h*.example.com", "hub.example.com")).isFalse();
        assertThat(IdentityCheck.dnsMatches("hub.example.com.", "hub.example.com")).isFalse();
        assertThat(IdentityCheck.dnsMatches("", "hub.example.com")).isFalse();
        assertThat(IdentityCheck.dnsMatches("hub.example.com", "")).isFalse();
        assertThat(IdentityCheck.dnsMatches("hub.example.com", ".")).isFalse();
    }

    @Test
    void ip_names_are_literals_compared_by_value_never_resolved() {
        assertThat(IdentityCheck.isIpLiteral("127.0.0.1")).isTrue();
        assertThat(IdentityCheck.isIpLiteral("::1")).isTrue();
        assertThat(IdentityCheck.isIpLiteral("")).isFalse();
        assertThat(IdentityCheck.isIpLiteral("localhost")).isFalse();
        assertThat(IdentityCheck.isIpLiteral("1.2.3")).isFalse();
        assertThat(IdentityCheck.isIpLiteral("g::1")).isFalse();
        X509Certificate v6 = PathCheckerTest.cert("CN=v6", PathCheckerTest.leafKey, "CN=PC Root",
                PathCheckerTest.rootKey.getPrivate(), PathCheckerTest.past(), PathCheckerTest.future(),
                PathCheckerTest.san(new GeneralName(GeneralName.iPAddress, "::1")));
        var sans = IdentityCheck.subjectAltNames(v6);
        assertThat(IdentityCheck.matches(PeerName.parse("ip:0:0:0:0:0:0:0:1"), sans)).isTrue();
        assertThat(IdentityCheck.matches(PeerName.parse("ip:::2"), sans)).isFalse();
        assertThat(IdentityCheck.matches(PeerName.parse("ip:localhost"), sans)).isFalse();
        // IP-literal characters that are no address match nothing (never an error read as a match)
        assertThat(IdentityCheck.matches(PeerName.parse("ip:::::"), sans)).isFalse();
        assertThat(IdentityCheck.matches(PeerName.parse("ip:1:2"), sans)).isFalse();
    }

    @Test
    void email_local_part_is_exact_and_domain_case_insensitive() {
        var sans = IdentityCheck.subjectAltNames(many);
        assertThat(IdentityCheck.matches(PeerName.parse("rfc822:Ops@EXAMPLE.com"), sans)).isTrue();
        assertThat(IdentityCheck.matches(PeerName.parse("rfc822:Ops@example.org"), sans)).isFalse();
        assertThat(IdentityCheck.matches(PeerName.parse("rfc822:Ops"), sans)).isFalse();
        assertThat(IdentityCheck.matches(PeerName.parse("rfc822:Op@Example.com"), sans)).isFalse();
    }
}
