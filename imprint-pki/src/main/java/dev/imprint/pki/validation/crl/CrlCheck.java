package dev.imprint.pki.validation.crl;

import dev.imprint.pki.validation.CrlSigners;
import dev.imprint.pki.validation.KeyUsageBit;
import dev.imprint.pki.validation.ReasonCode;
import dev.imprint.pki.validation.RevocationStatus;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;
import org.bouncycastle.asn1.x509.ReasonFlags;

/**
 * RFC 5280 section 6.3.3 for one certificate: for each of its distribution points, the CRLs in
 * scope (the issuer's own, or an indirect CRL of the point's cRLIssuer), each checked for scope,
 * signer, validity and freshness, newest first, until their reasons cover all reasons. Partial
 * coverage (onlySomeReasons) with no revocation found is unknown, never good.
 */
final class CrlCheck {
    /** All reason flags of a ReasonFlags bit string, as {@code intValue()} packs them ("unused" excluded). */
    static final int ALL_REASONS = 0x807F;
    private static final int REMOVE_FROM_CRL = 8;

    private final X509Certificate cert;
    private final X509Certificate issuer;
    private final Instant at;
    private final Duration grace;
    private final CrlSigners signers;
    private ReasonCode problemCode = ReasonCode.CRL_UNAVAILABLE;
    private String problem = "no CRL covers this certificate";
    boolean anyCrl;

    CrlCheck(X509Certificate cert, X509Certificate issuer, Instant at, Duration grace, CrlSigners signers) {
        this.cert = cert;
        this.issuer = issuer;
        this.at = at;
        this.grace = grace;
        this.signers = signers;
    }

    RevocationStatus run(Function<X500Principal, List<ParsedCrl>> crlsByIssuer) {
        X500Principal certIssuer = cert.getIssuerX500Principal();
        byte[] serial = cert.getSerialNumber().toByteArray();
        int mask = 0;
        for (DistributionPoint dp : DistributionPoints.of(cert)) {
            List<X500Principal> crlIssuers = dp.getCRLIssuer() == null ? List.of(certIssuer) : DistributionPoints.crlIssuers(dp);
            for (X500Principal crlIssuer : crlIssuers) {
                List<ParsedCrl> crls = crlsByIssuer.apply(crlIssuer);
                for (ParsedCrl full : crls) {
                    anyCrl = true;
                    if (full.isDelta() || !inScope(full, dp)) {
                        continue;
                    }
                    int interim = reasons(full.idp) & reasons(dp) & ALL_REASONS;
                    if ((interim & ~mask) == 0 || !usable(full)) {
                        continue;
                    }
                    ParsedCrl delta = delta(crls, full, dp);
                    RevocationStatus s = lookup(full, delta, certIssuer, serial);
                    if (s != null) {
                        return s;
                    }
                    mask |= interim;
                    if (mask == ALL_REASONS) {
                        return RevocationStatus.good();
                    }
                }
            }
        }
        if (mask != 0) {
            return RevocationStatus.unknown(ReasonCode.CRL_UNAVAILABLE, "the CRLs found cover only some revocation reasons");
        }
        return RevocationStatus.unknown(problemCode, problem);
    }

    private static RevocationStatus lookup(ParsedCrl full, ParsedCrl delta, X500Principal certIssuer, byte[] serial) {
        if (delta != null) {
            SerialIndex d = delta.entriesFor(certIssuer);
            int slot = d.indexOf(serial);
            if (slot >= 0) {
                return d.reason(slot) == REMOVE_FROM_CRL ? null : revoked(d, slot);
            }
        }
        SerialIndex f = full.entriesFor(certIssuer);
        int slot = f.indexOf(serial);
        if (slot >= 0 && f.reason(slot) != REMOVE_FROM_CRL) {
            return revoked(f, slot);
        }
        return null;
    }

    private static RevocationStatus revoked(SerialIndex index, int slot) {
        return RevocationStatus.revoked(index.reason(slot), Instant.ofEpochSecond(index.revokedAt(slot)));
    }

    private ParsedCrl delta(List<ParsedCrl> crls, ParsedCrl full, DistributionPoint dp) {
        for (ParsedCrl d : crls) {
            if (d.isDelta() && d.deltaBase.compareTo(full.crlNumber) <= 0
                    && d.crlNumber != null && d.crlNumber.compareTo(full.crlNumber) > 0
                    && d.issuer.equals(full.issuer) && inScope(d, dp) && usable(d)) {
                return d;
            }
        }
        return null;
    }

    /** (b): the CRL's issuer and issuingDistributionPoint fit this distribution point and certificate. */
    private boolean inScope(ParsedCrl c, DistributionPoint dp) {
        boolean indirect = c.idp != null && c.idp.isIndirectCRL();
        if (dp.getCRLIssuer() != null ? !indirect : !c.issuer.equals(cert.getIssuerX500Principal())) {
            return false;
        }
        IssuingDistributionPoint idp = c.idp;
        if (idp != null) {
            boolean ca = cert.getBasicConstraints() >= 0;
            if ((idp.onlyContainsUserCerts() && ca) || (idp.onlyContainsCACerts() && !ca) || idp.onlyContainsAttributeCerts()) {
                return false;
            }
        }
        return DistributionPoints.match(c, dp, cert);
    }

    private static int reasons(IssuingDistributionPoint idp) {
        return idp == null || idp.getOnlySomeReasons() == null ? ALL_REASONS : idp.getOnlySomeReasons().intValue();
    }

    private static int reasons(DistributionPoint dp) {
        ReasonFlags r = dp.getReasons();
        return r == null ? ALL_REASONS : r.intValue();
    }

    /** (f), (g) and freshness: a valid signer, a cRLNumber, no problem found when parsing, in its validity window. */
    private boolean usable(ParsedCrl c) {
        if (c.problem != null) {
            return invalid(c.problem);
        }
        if (c.crlNumber == null) {
            return invalid("CRL has no cRLNumber (RFC 5280 5.2.3)");
        }
        if (!signedByTrustedKey(c)) {
            return false;
        }
        if (c.thisUpdate.isAfter(at)) {
            return invalid("CRL thisUpdate " + c.thisUpdate + " is after the validation time");
        }
        if (c.nextUpdate == null) {
            return stale("CRL has no nextUpdate");
        }
        if (at.isAfter(c.nextUpdate.plus(grace))) {
            return stale("CRL stale: nextUpdate " + c.nextUpdate + " plus grace " + grace + " passed");
        }
        return true;
    }

    /** The issuer in the path when it has cRLSign and its key verifies; else another certificate of that name that does and is trusted. */
    private boolean signedByTrustedKey(ParsedCrl c) {
        boolean issuerNamed = c.issuer.equals(issuer.getSubjectX500Principal());
        if (issuerNamed && canSignCrls(issuer) && c.verify(signers.keyOf(issuer))) {
            return true;
        }
        for (X509Certificate cand : signers.named(c.issuer)) {
            if (!cand.equals(issuer) && canSignCrls(cand) && c.verify(signers.keyOf(cand)) && signers.trusted(cand, at)) {
                return true;
            }
        }
        if (issuerNamed && !canSignCrls(issuer)) {
            return invalid("CRL issuer's keyUsage lacks cRLSign");
        }
        return invalid("CRL signature does not verify with the key of a trusted CRL issuer");
    }

    private static boolean canSignCrls(X509Certificate c) {
        boolean[] ku = c.getKeyUsage();
        return ku == null || KeyUsageBit.CRL_SIGN.isSetIn(ku);
    }

    private boolean invalid(String why) {
        if (problemCode != ReasonCode.CRL_STALE) {
            problemCode = ReasonCode.CRL_INVALID;
            problem = why;
        }
        return false;
    }

    private boolean stale(String why) {
        problemCode = ReasonCode.CRL_STALE;
        problem = why;
        return false;
    }
}
