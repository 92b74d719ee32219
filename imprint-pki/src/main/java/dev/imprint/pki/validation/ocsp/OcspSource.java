package dev.imprint.pki.validation.ocsp;

import dev.imprint.pki.CryptoProviders;
import dev.imprint.pki.validation.CrlSigners;
import dev.imprint.pki.validation.ReasonCode;
import dev.imprint.pki.validation.RevocationSource;
import dev.imprint.pki.validation.RevocationStatus;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.operator.DigestCalculator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * OCSP (RFC 6960) as a {@link RevocationSource}, enabled per trust anchor: the responder URL
 * comes from the configuration or, when configured as null, from the certificate's authority
 * information access. Requests carry a nonce that the response must echo; the response must be
 * signed by the issuer or by a responder certificate the issuer issued with id-kp-OCSPSigning
 * ({@link OcspResponseCheck}). Answers are cached per issuer key and serial until nextUpdate.
 *
 * <p>Fails closed: no responder, a network or HTTP failure, a non-successful or badly signed
 * response, a wrong nonce, a response outside its validity window or an "unknown" answer are
 * all {@link RevocationStatus.Unknown} with {@link ReasonCode#OCSP_UNAVAILABLE}. Compose with a
 * CRL source through {@link dev.imprint.pki.validation.RevocationSources}. Thread-safe.
 */
public final class OcspSource implements RevocationSource {
    private static final URI FROM_AIA = URI.create("urn:imprint:ocsp-from-aia");

    private final Map<X509Certificate, URI> anchors;
    private final URI anyAnchor;
    private final boolean requireNonce;
    private final Duration timeout;
    private final Duration skew;
    private final HttpClient http;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<CacheKey, CachedAnswer> cache = new ConcurrentHashMap<>();

    private OcspSource(Builder b) {
        this.anchors = Map.copyOf(b.anchors);
        this.anyAnchor = b.anyAnchor;
        this.requireNonce = b.requireNonce;
        this.timeout = b.timeout;
        this.skew = b.skew;
        this.http = HttpClient.newBuilder().connectTimeout(b.timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public RevocationStatus status(X509Certificate cert, X509Certificate issuer, Instant at) {
        return status(cert, issuer, at, CrlSigners.NONE);
    }

    @Override
    public RevocationStatus status(X509Certificate cert, X509Certificate issuer, Instant at, CrlSigners signers) {
        URI configured = signers.anchor() != null ? anchors.get(signers.anchor()) : null;
        if (configured == null) {
            configured = anyAnchor;
        }
        if (configured == null) {
            return unavailable("OCSP is not configured for this trust anchor");
        }
        String url = configured == FROM_AIA ? OcspResponseCheck.aiaResponder(cert) : configured.toString();
        if (url == null) {
            return unavailable("no OCSP responder configured and none in the certificate's authority information access");
        }
        CacheKey key = new CacheKey(issuer.getPublicKey().getEncoded(), cert.getSerialNumber());
        CachedAnswer cached = cache.get(key);
        if (cached != null && cached.covers(at)) {
            return cached.status;
        }
        try {
            CertificateID id = new CertificateID(sha1(), new JcaX509CertificateHolder(issuer), cert.getSerialNumber());
            byte[] nonce = new byte[16];
            random.nextBytes(nonce);
            OCSPReq req = new OCSPReqBuilder().addRequest(id)
                    .setRequestExtensions(new Extensions(new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false,
                            new DEROctetString(nonce))))
                    .build();
            Answer answer = read(post(url, req.getEncoded()), issuer, id, at, skew, requireNonce ? nonce : null);
            if (answer.nextUpdate() != null && !(answer.status() instanceof RevocationStatus.Unknown)) {
                cache.put(key, new CachedAnswer(answer.status(), answer.thisUpdate(), answer.nextUpdate()));
            }
            return answer.status();
        } catch (IOException | OCSPException | OperatorCreationException | java.security.cert.CertificateEncodingException e) {
            return unavailable("OCSP request to " + url + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unavailable("interrupted");
        }
    }

    /** Number of cached answers: for metrics. */
    public int cachedAnswers() {
        return cache.size();
    }

    /** What a responder said, with the window it may be cached for (null when not cacheable). */
    record Answer(RevocationStatus status, Instant thisUpdate, Instant nextUpdate) {}

    /**
     * Parses and checks the bytes a responder sent (it is named by the certificate, so they may
     * be anyone's): whatever they are, the answer is a status, never an exception.
     */
    static Answer read(byte[] body, X509Certificate issuer, CertificateID id, Instant at, Duration skew, byte[] nonce) {
        try {
            OCSPResp resp = new OCSPResp(body);
            if (resp.getStatus() != OCSPResp.SUCCESSFUL) {
                return new Answer(unavailable("OCSP responder answered status " + resp.getStatus()), null, null);
            }
            if (!(resp.getResponseObject() instanceof BasicOCSPResp basic)) {
                return new Answer(unavailable("OCSP response is not a basic response"), null, null);
            }
            OcspResponseCheck check = new OcspResponseCheck(basic, issuer, id, at, skew, nonce);
            RevocationStatus status = check.status();
            return new Answer(status, check.thisUpdate(), check.nextUpdate());
        } catch (IOException | OCSPException | RuntimeException e) {
            // Bouncy Castle parses lazily: a malformed part (an embedded certificate's extensions)
            // throws IllegalArgumentException wherever it is first touched, not here (found by fuzzing)
            return new Answer(unavailable("OCSP response does not parse: " + e), null, null);
        }
    }

    private byte[] post(String url, byte[] body) throws IOException, InterruptedException {
        URI uri = URI.create(url);
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
            throw new IOException("OCSP responder URL is not HTTP(S): " + url);
        }
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/ocsp-request")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode());
        }
        return response.body();
    }

    private static DigestCalculator sha1() throws OperatorCreationException {
        return new JcaDigestCalculatorProviderBuilder().setProvider(CryptoProviders.bouncyCastle()).build()
                .get(CertificateID.HASH_SHA1);
    }

    static RevocationStatus unavailable(String detail) {
        return RevocationStatus.unknown(ReasonCode.OCSP_UNAVAILABLE, detail);
    }

    private record CacheKey(byte[] issuerKey, BigInteger serial) {
        @Override
        public boolean equals(Object o) {
            return o instanceof CacheKey k && serial.equals(k.serial) && Arrays.equals(issuerKey, k.issuerKey);
        }

        @Override
        public int hashCode() {
            return serial.hashCode() * 31 + Arrays.hashCode(issuerKey);
        }
    }

    private record CachedAnswer(RevocationStatus status, Instant thisUpdate, Instant nextUpdate) {
        boolean covers(Instant at) {
            return !at.isBefore(thisUpdate) && at.isBefore(nextUpdate);
        }
    }

    /** Builder: OCSP is off for every anchor until enabled; nonce required; 5 s timeout; 5 minutes clock skew. */
    public static final class Builder {
        private final Map<X509Certificate, URI> anchors = new HashMap<>();
        private URI anyAnchor;
        private boolean requireNonce = true;
        private Duration timeout = Duration.ofSeconds(5);
        private Duration skew = Duration.ofMinutes(5);

        private Builder() {}

        /** Enables OCSP for paths to {@code anchor}; {@code responder} null means the certificate's AIA. */
        public Builder anchor(X509Certificate anchor, URI responder) {
            anchors.put(Objects.requireNonNull(anchor), responder == null ? FROM_AIA : responder);
            return this;
        }

        /** Enables OCSP whatever the anchor (and for direct calls that name none); null responder means AIA. */
        public Builder anyAnchor(URI responder) {
            this.anyAnchor = responder == null ? FROM_AIA : responder;
            return this;
        }

        /** Whether the response must echo the request's nonce (default true; some CDNs' responders do not). */
        public Builder requireNonce(boolean require) { this.requireNonce = require; return this; }

        public Builder timeout(Duration d) { this.timeout = Objects.requireNonNull(d); return this; }

        /** Tolerance for thisUpdate in the future and nextUpdate in the past (default 5 minutes). */
        public Builder clockSkew(Duration d) { this.skew = Objects.requireNonNull(d); return this; }

        public OcspSource build() {
            return new OcspSource(this);
        }
    }
}
