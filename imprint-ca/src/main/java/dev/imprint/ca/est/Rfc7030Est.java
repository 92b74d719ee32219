package dev.imprint.ca.est;

import dev.imprint.ca.CaException;
import dev.imprint.ca.CaException.Reason;
import dev.imprint.ca.IssuanceRequest;
import dev.imprint.ca.IssuedCertificate;
import dev.imprint.ca.hierarchy.CaHierarchy;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.bouncycastle.asn1.est.AttrOrOID;
import org.bouncycastle.asn1.est.CsrAttrs;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DLSet;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.SignedData;
import org.bouncycastle.asn1.x509.Certificate;

/** RFC 7030 over the authority; see {@link EstService} for the wire format. */
public final class Rfc7030Est implements EstService {
    public static final String CERTS_ONLY = "application/pkcs7-mime; smime-type=certs-only";
    private static final Map<String, String> BASE64 = Map.of("Content-Transfer-Encoding", "base64");

    private final CaHierarchy hierarchy;
    private final PeerAuthenticator peers;
    private final Function<IssuanceRequest, CompletableFuture<IssuedCertificate>> issuer;
    private final EstResponse cacerts;

    public Rfc7030Est(CaHierarchy hierarchy, PeerAuthenticator peers,
                      Function<IssuanceRequest, CompletableFuture<IssuedCertificate>> issuer) {
        this.hierarchy = hierarchy;
        this.peers = peers;
        this.issuer = issuer;
        List<byte[]> all = new ArrayList<>();
        try {
            for (String n : hierarchy.names()) {
                all.add(hierarchy.issuer(n).getEncoded());
            }
            all.add(hierarchy.root().getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
        this.cacerts = certsOnly(all);
    }

    @Override
    public EstResponse cacerts() {
        return cacerts;
    }

    @Override
    public EstResponse csrattrs() {
        try {
            byte[] der = new CsrAttrs(new AttrOrOID[] {new AttrOrOID(X9ObjectIdentifiers.ecdsa_with_SHA256)}).getEncoded();
            return new EstResponse(200, "application/csrattrs", BASE64, base64(der));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public EstResponse simpleEnroll(byte[] body, List<X509Certificate> peerChain) {
        return simpleEnrollAsync(body, peerChain).join();
    }

    @Override
    public EstResponse simpleReenroll(byte[] body, List<X509Certificate> peerChain) {
        return simpleReenrollAsync(body, peerChain).join();
    }

    @Override
    public CompletableFuture<EstResponse> simpleEnrollAsync(byte[] body, List<X509Certificate> peerChain) {
        return enroll(() -> IssuanceRequest.byStation(peers.station(peerChain), decodeCsr(body)));
    }

    @Override
    public CompletableFuture<EstResponse> simpleReenrollAsync(byte[] body, List<X509Certificate> peerChain) {
        return enroll(() -> IssuanceRequest.reenroll(peers.device(peerChain), decodeCsr(body)));
    }

    private CompletableFuture<EstResponse> enroll(java.util.function.Supplier<IssuanceRequest> request) {
        try {
            return issuer.apply(request.get())
                    .thenApply(issued -> certsOnly(List.of(issued.der())))
                    .exceptionally(Rfc7030Est::error);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(error(e));
        }
    }

    static EstResponse error(Throwable t) {
        Throwable e = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (e instanceof CaException ce) {
            EstResponse r = EstResponse.error(ce.httpStatus(), ce.code(), ce.getMessage());
            // Rate limits and a busy or closing CA are temporary: tell the client when to retry.
            if (ce.httpStatus() == 429 || ce.httpStatus() == 503) {
                r = new EstResponse(r.status(), r.contentType(), Map.of("Retry-After", ce.httpStatus() == 429 ? "1" : "5"), r.body());
            }
            return r;
        }
        return EstResponse.error(500, Reason.INTERNAL_ERROR.name(), "internal error");
    }

    /** Base64 (whitespace ignored) or raw DER. @throws CaException CSR_MALFORMED */
    static byte[] decodeCsr(byte[] body) {
        if (body == null || body.length == 0) {
            throw new CaException(Reason.CSR_MALFORMED, "empty request body");
        }
        if (body[0] == 0x30) {
            return body;
        }
        try {
            String s = new String(body, StandardCharsets.US_ASCII);
            if (s.contains("-----BEGIN")) {
                s = s.replaceAll("-----[A-Z ]+-----", "");
            }
            return Base64.getMimeDecoder().decode(s.replaceAll("\\s+", ""));
        } catch (IllegalArgumentException e) {
            throw new CaException(Reason.CSR_MALFORMED, "the body is neither base64 nor DER PKCS#10");
        }
    }

    /**
     * A degenerate SignedData (no signers, no content) carrying the certificates (RFC 5652
     * section 5, RFC 7030 section 4.1.3), assembled from Bouncy Castle's CMS structures: the
     * generator's per-call setup cost more than the rest of an enrollment's response.
     */
    static EstResponse certsOnly(List<byte[]> certificates) {
        try {
            ASN1EncodableVector certs = new ASN1EncodableVector(certificates.size());
            for (byte[] c : certificates) {
                certs.add(Certificate.getInstance(c));
            }
            SignedData sd = new SignedData(new DLSet(), new ContentInfo(CMSObjectIdentifiers.data, null), new DLSet(certs), null, new DLSet());
            byte[] der = new ContentInfo(CMSObjectIdentifiers.signedData, sd).getEncoded(ASN1Encoding.DL);
            return new EstResponse(200, CERTS_ONLY, BASE64, base64(der));
        } catch (Exception e) {
            throw new IllegalStateException("cannot build certs-only CMS", e);
        }
    }

    private static byte[] base64(byte[] der) {
        return Base64.getMimeEncoder().encode(der);
    }

}
