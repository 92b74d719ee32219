package dev.imprint.pki.validation.limbo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imprint.pki.validation.CertificateValidator;
import dev.imprint.pki.validation.Eku;
import dev.imprint.pki.validation.IdentitySource;
import dev.imprint.pki.validation.KeyUsageBit;
import dev.imprint.pki.validation.PeerName;
import dev.imprint.pki.validation.PolicyInputs;
import dev.imprint.pki.validation.PossessionProof;
import dev.imprint.pki.validation.Profile;
import dev.imprint.pki.validation.RevocationSource;
import dev.imprint.pki.validation.ValidationRequest;
import dev.imprint.pki.validation.Verdict;
import dev.imprint.pki.validation.crl.CrlCache;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Maps one limbo test case onto a validator and a request. */
final class LimboCase {
    private LimboCase() {}

    static LimboHarness.Result evaluate(JsonNode tc) {
        String id = tc.path("id").asText();
        String expected = tc.path("expected_result").asText(null);
        String kind = tc.path("validation_kind").asText("SERVER");
        List<String> features = new ArrayList<>();
        tc.path("features").forEach(f -> features.add(f.asText()));
        String actual;
        String context;
        try {
            String skip = unsupported(tc);
            if (skip != null) {
                return new LimboHarness.Result(id, "SKIPPED", expected, skip, kind, features);
            }
            Verdict v = validate(tc, kind);
            if (v instanceof Verdict.Refused r) {
                actual = "FAILURE";
                context = "step " + r.step().number() + " " + r.reason() + ": " + r.detail();
            } else {
                actual = "SUCCESS";
                context = "accepted as " + ((Verdict.Accepted) v).identity();
            }
        } catch (Exception e) {
            actual = "FAILURE";
            context = "MALFORMED: " + e.getMessage();
        }
        return new LimboHarness.Result(id, actual, expected, context, kind, features);
    }

    private static String unsupported(JsonNode tc) {
        if (tc.path("extended_key_usage").size() > 1) {
            return "more than one required EKU is not expressible in one request";
        }
        return null;
    }

    private static Verdict validate(JsonNode tc, String kind) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> anchors = certs(cf, tc.path("trusted_certs"));
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(cert(cf, tc.path("peer_certificate").asText()));
        chain.addAll(certs(cf, tc.path("untrusted_intermediates")));
        RevocationSource revocation = RevocationSource.NONE;
        boolean pkits = tc.path("pkits_settings").isObject();
        if (tc.path("crls").size() > 0 || pkits) {
            // PKITS runs with revocation checking on for every certificate; limbo only where CRLs are given
            CrlCache cache = CrlCache.builder().fetch(false)
                    .missingCrl(pkits ? CrlCache.MissingCrl.FAIL : CrlCache.MissingCrl.IGNORE).build();
            for (JsonNode pem : tc.path("crls")) {
                try (var r = new org.bouncycastle.util.io.pem.PemReader(new java.io.StringReader(pem.asText()))) {
                    cache.add(r.readPemObject().getContent());
                }
            }
            revocation = cache;
        }
        boolean server = kind.equals("SERVER");
        CertificateValidator validator = CertificateValidator.builder()
                .trustAnchors(anchors)
                .revocation(revocation)
                .identitySources(IdentitySource.SAN_DNS, IdentitySource.SAN_IP, IdentitySource.SAN_URI,
                        IdentitySource.SAN_RFC822, IdentitySource.SUBJECT_CN, IdentitySource.SUBJECT_DN)
                .minRsaBits(server ? 2048 : 1024)
                .maxDepth(64)
                .build();
        ValidationRequest.Builder req = ValidationRequest.builder()
                .chain(chain)
                .possession(PossessionProof.tlsHandshake())
                .profile(profile(tc, server));
        String time = tc.path("validation_time").asText(null);
        if (time != null && !tc.path("validation_time").isNull()) {
            req.time(OffsetDateTime.parse(time).toInstant());
        } else {
            req.time(Instant.now());
        }
        if (tc.path("extended_key_usage").size() == 1) {
            req.requiredEku(Eku.parse(tc.path("extended_key_usage").get(0).asText()));
        } else if (server) {
            req.requiredEku(Eku.SERVER_AUTH); // a TLS client validates a server for serverAuth
        }
        Set<KeyUsageBit> ku = EnumSet.noneOf(KeyUsageBit.class);
        for (JsonNode k : tc.path("key_usage")) {
            ku.add(keyUsage(k.asText()));
        }
        req.requiredKeyUsage(ku);
        if (!tc.path("max_chain_depth").isMissingNode() && !tc.path("max_chain_depth").isNull()) {
            req.maxDepth(tc.path("max_chain_depth").asInt());
        }
        JsonNode peer = tc.path("expected_peer_name");
        if (peer.isObject()) {
            req.peerName(new PeerName(PeerName.Kind.valueOf(peer.path("kind").asText()), peer.path("value").asText()));
        }
        for (JsonNode p : tc.path("expected_peer_names")) {
            req.peerName(new PeerName(PeerName.Kind.valueOf(p.path("kind").asText()), p.path("value").asText()));
        }
        JsonNode settings = tc.path("pkits_settings");
        if (settings.isObject()) {
            Set<String> initial = new HashSet<>();
            settings.path("initial_policy_set").forEach(p -> initial.add(p.asText()));
            req.policy(new PolicyInputs(initial, settings.path("initial_explicit_policy").asBoolean(),
                    settings.path("initial_policy_mapping_inhibit").asBoolean(),
                    settings.path("initial_inhibit_any_policy").asBoolean()));
        }
        return validator.validate(req.build());
    }

    /**
     * SERVER cases run under {@link Profile#WEB_PKI}, except an {@code rfc5280::} case that the suite
     * marks as conflicting with a {@code webpki::} one: the two expect opposite results for the same
     * chain, one per profile, so each runs under the profile it tests.
     */
    static Profile profile(JsonNode tc, boolean server) {
        if (!server) {
            return Profile.RFC5280;
        }
        if (tc.path("id").asText().startsWith("rfc5280::")) {
            for (JsonNode other : tc.path("conflicts_with")) {
                if (other.asText().startsWith("webpki::")) {
                    return Profile.RFC5280;
                }
            }
        }
        return Profile.WEB_PKI;
    }

    private static KeyUsageBit keyUsage(String name) {
        switch (name) {
            case "digitalSignature": return KeyUsageBit.DIGITAL_SIGNATURE;
            case "contentCommitment": case "nonRepudiation": return KeyUsageBit.NON_REPUDIATION;
            case "keyEncipherment": return KeyUsageBit.KEY_ENCIPHERMENT;
            case "dataEncipherment": return KeyUsageBit.DATA_ENCIPHERMENT;
            case "keyAgreement": return KeyUsageBit.KEY_AGREEMENT;
            case "keyCertSign": return KeyUsageBit.KEY_CERT_SIGN;
            case "cRLSign": return KeyUsageBit.CRL_SIGN;
            case "encipherOnly": return KeyUsageBit.ENCIPHER_ONLY;
            case "decipherOnly": return KeyUsageBit.DECIPHER_ONLY;
            default: throw new IllegalArgumentException("unknown key usage " + name.toLowerCase(Locale.ROOT));
        }
    }

    private static List<X509Certificate> certs(CertificateFactory cf, JsonNode pems) throws Exception {
        List<X509Certificate> out = new ArrayList<>();
        for (JsonNode pem : pems) {
            out.add(cert(cf, pem.asText()));
        }
        return out;
    }

    private static X509Certificate cert(CertificateFactory cf, String pem) throws Exception {
        return (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }
}
