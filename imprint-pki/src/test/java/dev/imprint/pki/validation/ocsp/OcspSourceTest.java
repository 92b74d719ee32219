package dev.imprint.pki.validation.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.imprint.pki.validation.CertificateValidator;
import dev.imprint.pki.validation.PossessionProof;
import dev.imprint.pki.validation.ReasonCode;
import dev.imprint.pki.validation.RevocationSource;
import dev.imprint.pki.validation.RevocationSources;
import dev.imprint.pki.validation.RevocationStatus;
import dev.imprint.pki.validation.ValidationRequest;
import dev.imprint.pki.validation.Verdict;
import dev.imprint.pki.validation.crl.CrlCache;
import dev.imprint.testkit.TestPki;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Date;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OCSP against a real loopback responder built with Bouncy Castle: good, revoked, delegated signer, forged signer, nonce, cache, fallback. */
class OcspSourceTest {
    private final TestPki pki = TestPki.create();
    private final Set<BigInteger> revoked = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicInteger hits = new AtomicInteger();
    private HttpServer server;
    private URI url;
    /** The responder's signing key and the certificate it includes (null: signs as the issuing CA). */
    private volatile KeyPair signerKey;
    private volatile X509Certificate signerCert;
    private volatile boolean echoNonce = true;

    @BeforeEach
    void start() throws Exception {
        signerKey = pki.issuingCa().key();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ocsp", ex -> {
            hits.incrementAndGet();
            byte[] body;
            try {
                body = respond(new OCSPReq(ex.getRequestBody().readAllBytes())).getEncoded();
            } catch (Exception e) {
                throw new java.io.IOException(e);
            }
            ex.getResponseHeaders().add("Content-Type", "application/ocsp-response");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/ocsp");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private OCSPResp respond(OCSPReq req) throws Exception {
        X509Certificate signer = signerCert != null ? signerCert : pki.intermediate();
        KeyPair key = signerKey;
        boolean forRoot = req.getRequestList()[0].getCertID().matchesIssuer(new JcaX509CertificateHolder(pki.root()),
                new JcaDigestCalculatorProviderBuilder().build());
        if (forRoot && signerCert == null && signerKey == pki.issuingCa().key()) {
            signer = pki.root(); // the intermediate's status, answered by the root
            key = pki.rootCa().key();
        }
        BasicOCSPRespBuilder b = new BasicOCSPRespBuilder(new RespID(new JcaX509CertificateHolder(signer).getSubject()));
        Date now = Date.from(pki.now().minusSeconds(60));
        Date next = Date.from(pki.now().plus(Duration.ofHours(1)));
        for (Req r : req.getRequestList()) {
            CertificateStatus status = revoked.contains(r.getCertID().getSerialNumber())
                    ? new RevokedStatus(now, CRLReason.keyCompromise) : CertificateStatus.GOOD;
            b.addResponse(r.getCertID(), status, now, next);
        }
        Extension nonce = req.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
        if (nonce != null) {
            b.setResponseExtensions(new Extensions(echoNonce ? nonce
                    : new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false, new DEROctetString(new byte[16]))));
        }
        X509CertificateHolder[] chain = signerCert != null
                ? new X509CertificateHolder[] {new JcaX509CertificateHolder(signerCert)} : null;
        var basic = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()), chain, now);
        return new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, basic);
    }

    private OcspSource ocsp() {
        return OcspSource.builder().anchor(pki.root(), url).timeout(Duration.ofSeconds(2)).build();
    }

    /** For direct calls, which name no anchor. */
    private OcspSource ocspAny() {
        return OcspSource.builder().anyAnchor(url).timeout(Duration.ofSeconds(2)).build();
    }

    private Verdict validate(RevocationSource source, TestPki.Issued device) {
        return CertificateValidator.builder().trustAnchor(pki.root()).revocation(source).build()
                .validate(ValidationRequest.builder().chain(device.chain()).time(pki.now())
                        .possession(PossessionProof.tlsHandshake()).build());
    }

    @Test
    void accepts_good_and_refuses_revoked_device_and_caches_until_next_update() {
        TestPki.Issued good = pki.device("ocsp-good");
        TestPki.Issued bad = pki.device("ocsp-bad");
        revoked.add(bad.cert().getSerialNumber());
        OcspSource ocsp = ocsp();
        assertThat(validate(ocsp, good)).isInstanceOf(Verdict.Accepted.class);
        Verdict v = validate(ocsp, bad);
        assertThat(((Verdict.Refused) v).reason()).isEqualTo(ReasonCode.REVOKED);
        int before = hits.get();
        assertThat(validate(ocsp, good)).isInstanceOf(Verdict.Accepted.class);
        assertThat(hits.get()).as("served from the cache").isEqualTo(before);
        assertThat(ocsp.cachedAnswers()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void accepts_response_of_delegated_responder_with_ocsp_signing() {
        TestPki.Issued responder = pki.cert("CN=OCSP Responder", pki.issuingCa())
                .eku(KeyPurposeId.id_kp_OCSPSigning.getId()).issueLeaf();
        signerKey = responder.key();
        signerCert = responder.cert();
        assertThat(ocspAny().status(pki.device("d1").cert(), pki.intermediate(), pki.now())).isEqualTo(RevocationStatus.good());
    }

    @Test
    void refuses_response_of_responder_without_ocsp_signing() {
        TestPki.Issued responder = pki.cert("CN=Not A Responder", pki.issuingCa()).issueLeaf(); // clientAuth only
        signerKey = responder.key();
        signerCert = responder.cert();
        assertUnavailable(ocspAny().status(pki.device("d2").cert(), pki.intermediate(), pki.now()));
    }

    @Test
    void refuses_response_signed_by_foreign_ca_with_the_same_name() {
        TestPki foreign = TestPki.foreignWithSameSubjects(pki);
        signerKey = foreign.issuingCa().key();
        Verdict v = validate(ocsp(), pki.device("d3"));
        assertThat(((Verdict.Refused) v).reason()).isEqualTo(ReasonCode.OCSP_UNAVAILABLE);
    }

    @Test
    void refuses_response_with_wrong_nonce() {
        echoNonce = false;
        assertUnavailable(ocspAny().status(pki.device("d4").cert(), pki.intermediate(), pki.now()));
    }

    @Test
    void fails_closed_when_responder_unreachable_and_falls_back_to_crl_when_composed() throws Exception {
        OcspSource down = OcspSource.builder().anyAnchor(URI.create("http://127.0.0.1:9/ocsp"))
                .timeout(Duration.ofSeconds(1)).build();
        TestPki.Issued device = pki.device("d5");
        assertThat(((Verdict.Refused) validate(down, device)).reason()).isEqualTo(ReasonCode.OCSP_UNAVAILABLE);
        CrlCache crls = CrlCache.builder().fetch(false).build();
        crls.add(pki.crl());
        crls.add(pki.crl(pki.rootCa(), pki.now().minusSeconds(60), pki.now().plus(Duration.ofHours(1)), java.util.List.of()));
        assertThat(validate(RevocationSources.firstKnown(down, crls), device)).isInstanceOf(Verdict.Accepted.class);
        assertThat(((Verdict.Refused) validate(RevocationSources.all(ocsp(), down), device)).reason())
                .isEqualTo(ReasonCode.OCSP_UNAVAILABLE);
    }

    @Test
    void not_configured_for_this_anchor_is_unavailable() {
        OcspSource other = OcspSource.builder().anchor(TestPki.create().root(), url).build(); // not ours, no anyAnchor
        assertThat(((Verdict.Refused) validate(other, pki.device("d6"))).reason()).isEqualTo(ReasonCode.OCSP_UNAVAILABLE);
    }

    private static void assertUnavailable(RevocationStatus s) {
        assertThat(s).isInstanceOf(RevocationStatus.Unknown.class);
        assertThat(((RevocationStatus.Unknown) s).code()).isEqualTo(ReasonCode.OCSP_UNAVAILABLE);
    }
}
