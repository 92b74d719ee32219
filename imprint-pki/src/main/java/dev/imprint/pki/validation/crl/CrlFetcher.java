package dev.imprint.pki.validation.crl;

import dev.imprint.pki.validation.CertExtensions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

/** Fetches CRLs over plain HTTP (RFC 5280 distribution points), bounded in time and size. */
final class CrlFetcher {
    private static final long MAX_BYTES = 256L * 1024 * 1024;
    private final HttpClient http;
    private final Duration timeout;

    CrlFetcher(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    byte[] fetch(String url) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build();
        HttpResponse<byte[]> resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        if (resp.statusCode() != 200) {
            throw new IOException("HTTP " + resp.statusCode() + " from " + url);
        }
        if (resp.body().length > MAX_BYTES) {
            throw new IOException("CRL larger than " + MAX_BYTES + " bytes");
        }
        return resp.body();
    }

    /** The first http: URI among the certificate's CRL distribution points, or null. */
    static String httpDistributionPoint(X509Certificate cert) {
        byte[] ext = CertExtensions.value(cert, Extension.cRLDistributionPoints.getId());
        if (ext == null) {
            return null;
        }
        try {
            CRLDistPoint dps = CRLDistPoint.getInstance(ASN1OctetString.getInstance(ext).getOctets());
            for (DistributionPoint dp : dps.getDistributionPoints()) {
                DistributionPointName name = dp.getDistributionPoint();
                if (name == null || name.getType() != DistributionPointName.FULL_NAME) {
                    continue;
                }
                for (GeneralName gn : GeneralNames.getInstance(name.getName()).getNames()) {
                    if (gn.getTagNo() == GeneralName.uniformResourceIdentifier) {
                        String uri = gn.getName().toString();
                        if (uri.startsWith("http://")) {
                            return uri;
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            return null;
        }
        return null;
    }
}
