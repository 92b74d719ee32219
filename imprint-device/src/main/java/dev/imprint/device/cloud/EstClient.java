package dev.imprint.device.cloud;

import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSSignedData;

/**
 * EST re-enrollment (RFC 7030 {@code /simplereenroll}): authenticated by mutual TLS with the
 * current operational certificate, a CSR for a new key with the same identity; the answer is a
 * certs-only PKCS#7, leaf first after sorting.
 */
public final class EstClient {
    private final DeviceRuntime rt;
    private final CloudConfig config;
    private final Duration timeout;

    public EstClient(DeviceRuntime rt, CloudConfig config, Duration timeout) {
        this.rt = rt;
        this.config = config;
        this.timeout = timeout;
    }

    /**
     * @return the new chain, leaf first (the leaf is the certificate whose subject issued no other)
     *     Fails with a CloudException: the CA's code (REVOKED, EXPIRED, IDENTITY_MISMATCH ...) as
     *     permanent on 4xx; transient with Retry-After on 429/503
     */
    public CompletableFuture<List<X509Certificate>> reenroll(Identity current, byte[] csrDer) {
        String path = config.est().getRawPath() + "/simplereenroll";
        byte[] body = Base64.getMimeEncoder().encode(csrDer);
        return HttpsConnection.open(rt, config.est(), Tls.client(current, config.trust()), timeout).thenCompose(conn ->
                conn.send(HttpMethod.POST, path, "application/pkcs10", body, timeout).whenComplete((r, t) -> conn.close()))
                .thenApply(EstClient::certificates);
    }

    private static List<X509Certificate> certificates(HttpsConnection.Response r) {
        if (r.status() != 200) {
            String text = r.text();
            String code = DpsClient.codeOf(text.replaceAll("^\\{\"code\":\"", ""), "HTTP_" + r.status());
            if (r.status() == 429 || r.status() == 503) {
                return failWith(new CloudException(code, text, r.retryAfter() >= 0 ? Duration.ofSeconds(r.retryAfter()) : null, false));
            }
            return failWith(r.status() >= 500 ? CloudException.transientFailure(code, text) : CloudException.refused(code, text));
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(new String(r.body(), StandardCharsets.US_ASCII).trim());
            CMSSignedData cms = new CMSSignedData(der);
            JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
            List<X509Certificate> all = new ArrayList<>();
            for (X509CertificateHolder h : cms.getCertificates().getMatches(null)) {
                all.add(conv.getCertificate(h));
            }
            return leafFirst(all);
        } catch (Exception e) {
            return failWith(CloudException.transientFailure("BAD_RESPONSE", "EST answer does not parse: " + e.getMessage()));
        }
    }

    /** Orders a bag of certificates as a path: the one that issued nothing else first. */
    static List<X509Certificate> leafFirst(List<X509Certificate> bag) {
        List<X509Certificate> out = new ArrayList<>();
        X509Certificate cur = bag.stream().filter(c -> bag.stream().noneMatch(o -> o != c
                && o.getIssuerX500Principal().equals(c.getSubjectX500Principal()))).findFirst().orElse(bag.isEmpty() ? null : bag.get(0));
        while (cur != null && !out.contains(cur)) {
            out.add(cur);
            X509Certificate c = cur;
            cur = c.getIssuerX500Principal().equals(c.getSubjectX500Principal()) ? null
                    : bag.stream().filter(o -> o.getSubjectX500Principal().equals(c.getIssuerX500Principal())).findFirst().orElse(null);
        }
        return out;
    }

    private static <T> T failWith(CloudException e) {
        throw e;
    }
}
