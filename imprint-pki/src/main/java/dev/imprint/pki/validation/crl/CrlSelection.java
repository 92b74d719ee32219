package dev.imprint.pki.validation.crl;

import dev.imprint.pki.validation.ReasonCode;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;

/** Picks the newest usable full CRL (and delta over it) that covers a certificate, or says why none is usable. */
final class CrlSelection {
    ParsedCrl full;
    ParsedCrl delta;
    ReasonCode problemCode = ReasonCode.CRL_UNAVAILABLE;
    String problem = "no CRL covers this certificate";

    private CrlSelection() {}

    static CrlSelection choose(List<ParsedCrl> crls, X509Certificate cert, X509Certificate issuer, Instant at, Duration grace) {
        CrlSelection s = new CrlSelection();
        byte[] ski = subjectKeyId(issuer);
        for (ParsedCrl c : crls) {
            if (c.isDelta()) {
                continue;
            }
            if (s.usable(c, cert, issuer, ski, at, grace)) {
                s.full = c;
                break;
            }
        }
        if (s.full != null) {
            for (ParsedCrl d : crls) {
                if (d.isDelta() && d.deltaBase.compareTo(s.full.crlNumber) <= 0
                        && d.crlNumber != null && d.crlNumber.compareTo(s.full.crlNumber) > 0
                        && s.usable(d, cert, issuer, ski, at, grace)) {
                    s.delta = d;
                    break;
                }
            }
        }
        return s;
    }

    private boolean usable(ParsedCrl c, X509Certificate cert, X509Certificate issuer, byte[] ski, Instant at, Duration grace) {
        if (ski != null && c.authorityKeyId != null && !Arrays.equals(ski, c.authorityKeyId)) {
            return false; // another key of the same CA (rollover): not this issuer's CRL
        }
        if (!covers(c.idp, cert) || !DistributionPoints.match(c, cert)) {
            return false;
        }
        if (c.problem != null) {
            return invalid(c.problem);
        }
        if (c.crlNumber == null) {
            return invalid("CRL has no cRLNumber (RFC 5280 5.2.3)");
        }
        if (!c.verify(issuer.getPublicKey())) {
            return invalid("CRL signature does not verify with the issuer's key");
        }
        if (c.thisUpdate.isAfter(at)) {
            return invalid("CRL thisUpdate " + c.thisUpdate + " is after the validation time");
        }
        if (c.nextUpdate == null) {
            problemCode = ReasonCode.CRL_STALE;
            problem = "CRL has no nextUpdate";
            return false;
        }
        if (at.isAfter(c.nextUpdate.plus(grace))) {
            problemCode = ReasonCode.CRL_STALE;
            problem = "CRL stale: nextUpdate " + c.nextUpdate + " plus grace " + grace + " passed";
            return false;
        }
        return true;
    }

    private boolean invalid(String why) {
        if (problemCode != ReasonCode.CRL_STALE) {
            problemCode = ReasonCode.CRL_INVALID;
            problem = why;
        }
        return false;
    }

    /** The issuing distribution point's scope (RFC 5280 5.2.5); partial-reason CRLs do not count as covering. */
    private static boolean covers(IssuingDistributionPoint idp, X509Certificate cert) {
        if (idp == null) {
            return true;
        }
        boolean ca = cert.getBasicConstraints() >= 0;
        if (idp.onlyContainsUserCerts() && ca) {
            return false;
        }
        if (idp.onlyContainsCACerts() && !ca) {
            return false;
        }
        return !idp.onlyContainsAttributeCerts() && idp.getOnlySomeReasons() == null;
    }

    private static byte[] subjectKeyId(X509Certificate cert) {
        byte[] ext = cert.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (ext == null) {
            return null;
        }
        try {
            return SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getKeyIdentifier();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
