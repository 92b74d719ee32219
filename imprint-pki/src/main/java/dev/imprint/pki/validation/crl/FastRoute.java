package dev.imprint.pki.validation.crl;

import dev.imprint.pki.validation.CertExtensions;
import dev.imprint.pki.validation.KeyUsageBit;
import dev.imprint.pki.validation.RevocationStatus;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.Extension;

/**
 * The common case remembered per issuer, so a lookup is one time comparison and one serial probe:
 * the issuer's newest complete CRL has no issuingDistributionPoint, no delta beside it, and
 * verified with the issuer's own key (which has cRLSign); certificates whose
 * cRLDistributionPoints name no cRLIssuer and no reasons (the bytes last seen are remembered).
 * In that case {@link CrlCheck} would pick the same CRL and answer the same; anything else, or a
 * CRL outside its validity window, goes through {@link CrlCheck}.
 */
final class FastRoute {
    private static final int REMOVE_FROM_CRL = 8;
    private static final String CRL_DP = Extension.cRLDistributionPoints.getId();

    final List<ParsedCrl> crls;
    private final ParsedCrl full;
    private volatile byte[] simpleDp;
    /** Certificates (by reference) already found to have plain distribution points. */
    private final X509Certificate[] seen = new X509Certificate[64];

    private FastRoute(List<ParsedCrl> crls, ParsedCrl full) {
        this.crls = crls;
        this.full = full;
    }

    /** A route when {@code crls} (newest first) and {@code issuer} fit the common case, else null. */
    static FastRoute of(List<ParsedCrl> crls, X509Certificate issuer) {
        ParsedCrl full = null;
        for (ParsedCrl c : crls) {
            if (c.isDelta()) {
                return null;
            }
            if (full == null) {
                full = c;
            }
        }
        boolean[] ku = issuer.getKeyUsage();
        if (full == null || full.idp != null || full.problem != null || full.crlNumber == null || full.nextUpdate == null
                || !full.issuer.equals(issuer.getSubjectX500Principal())
                || (ku != null && !KeyUsageBit.CRL_SIGN.isSetIn(ku)) || !full.verify(issuer.getPublicKey())) {
            return null;
        }
        return new FastRoute(crls, full);
    }

    /** The answer, or null when this certificate or time needs the full algorithm. */
    RevocationStatus status(X509Certificate cert, Instant at, Duration grace) {
        if (full.thisUpdate.isAfter(at) || at.isAfter(full.nextUpdate.plus(grace)) || !simpleDistributionPoints(cert)) {
            return null;
        }
        SerialIndex index = full.revoked;
        int slot = index.indexOf(cert.getSerialNumber().toByteArray());
        if (slot >= 0 && index.reason(slot) != REMOVE_FROM_CRL) {
            return RevocationStatus.revoked(index.reason(slot), Instant.ofEpochSecond(index.revokedAt(slot)));
        }
        return RevocationStatus.good();
    }

    private boolean simpleDistributionPoints(X509Certificate cert) {
        int slot = System.identityHashCode(cert) & (seen.length - 1);
        if (seen[slot] == cert) {
            return true;
        }
        if (plainPoints(cert)) {
            seen[slot] = cert; // a benign race: a slot holds some certificate that was found plain
            return true;
        }
        return false;
    }

    private boolean plainPoints(X509Certificate cert) {
        byte[] ext = CertExtensions.value(cert, CRL_DP);
        if (ext == null) {
            return true;
        }
        byte[] known = simpleDp;
        if (known != null && Arrays.equals(known, ext)) {
            return true;
        }
        try {
            for (DistributionPoint dp : DistributionPoints.of(cert)) {
                if (dp.getCRLIssuer() != null || dp.getReasons() != null) {
                    return false;
                }
            }
        } catch (RuntimeException e) {
            return false;
        }
        simpleDp = ext;
        return true;
    }
}
