package dev.imprint.pki.validation.ocsp;

import dev.imprint.pki.validation.CertExtensions;
import dev.imprint.pki.CryptoProviders;
import dev.imprint.pki.validation.RevocationStatus;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;

/** Checks one basic OCSP response (RFC 6960 3.2): signer, nonce, the single response for our certificate, its time window. */
final class OcspResponseCheck {
    private final BasicOCSPResp basic;
    private final X509Certificate issuer;
    private final CertificateID id;
    private final Instant at;
    private final Duration skew;
    private final byte[] nonce;
    private Instant thisUpdate;
    private Instant nextUpdate;

    OcspResponseCheck(BasicOCSPResp basic, X509Certificate issuer, CertificateID id, Instant at, Duration skew, byte[] nonce) {
        this.basic = basic;
        this.issuer = issuer;
        this.id = id;
        this.at = at;
        this.skew = skew;
        this.nonce = nonce;
    }

    Instant thisUpdate() { return thisUpdate; }

    Instant nextUpdate() { return nextUpdate; }

    RevocationStatus status() {
        if (!signedByIssuerOrDelegate()) {
            return OcspSource.unavailable("OCSP response not signed by the issuer or a responder it authorized (id-kp-OCSPSigning)");
        }
        if (nonce != null) {
            Extension echoed = basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
            if (echoed == null || !Arrays.equals(nonceOctets(echoed), nonce)) {
                return OcspSource.unavailable("OCSP response does not echo the request nonce");
            }
        }
        for (SingleResp single : basic.getResponses()) {
            if (!single.getCertID().equals(id)) {
                continue;
            }
            thisUpdate = single.getThisUpdate().toInstant();
            nextUpdate = single.getNextUpdate() == null ? null : single.getNextUpdate().toInstant();
            if (thisUpdate.isAfter(at.plus(skew))) {
                return OcspSource.unavailable("OCSP response thisUpdate " + thisUpdate + " is in the future");
            }
            if (nextUpdate != null && nextUpdate.plus(skew).isBefore(at)) {
                return OcspSource.unavailable("OCSP response expired at " + nextUpdate);
            }
            CertificateStatus s = single.getCertStatus();
            if (s == CertificateStatus.GOOD) {
                return RevocationStatus.good();
            }
            if (s instanceof RevokedStatus r) {
                return RevocationStatus.revoked(r.hasRevocationReason() ? r.getRevocationReason() : -1,
                        r.getRevocationTime().toInstant());
            }
            if (s instanceof UnknownStatus) {
                return OcspSource.unavailable("OCSP responder does not know the certificate");
            }
            return OcspSource.unavailable("unrecognized OCSP certificate status");
        }
        return OcspSource.unavailable("OCSP response has no answer for the certificate asked about");
    }

    private static byte[] nonceOctets(Extension e) {
        byte[] v = e.getExtnValue().getOctets();
        try {
            return ASN1OctetString.getInstance(v).getOctets(); // RFC 8954: nonce is an OCTET STRING inside extnValue
        } catch (RuntimeException notWrapped) {
            return v;
        }
    }

    private boolean signedByIssuerOrDelegate() {
        if (verifies(issuer.getPublicKey())) {
            return true;
        }
        for (X509CertificateHolder h : basic.getCerts()) {
            try {
                X509Certificate responder = new JcaX509CertificateConverter().setProvider(CryptoProviders.bouncyCastle())
                        .getCertificate(h);
                if (!responder.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
                    continue;
                }
                responder.verify(issuer.getPublicKey(), CryptoProviders.bouncyCastle());
                responder.checkValidity(java.util.Date.from(at));
                if (responder.getExtendedKeyUsage() == null
                        || !responder.getExtendedKeyUsage().contains(KeyPurposeId.id_kp_OCSPSigning.getId())) {
                    continue;
                }
                if (verifies(responder.getPublicKey())) {
                    return true;
                }
            } catch (java.security.GeneralSecurityException | RuntimeException e) {
                // not this one
            }
        }
        return false;
    }

    private boolean verifies(PublicKey key) {
        try {
            return basic.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(CryptoProviders.bouncyCastle()).build(key));
        } catch (Exception e) {
            return false;
        }
    }

    /** The first HTTP OCSP URL in the certificate's authority information access, or null. */
    static String aiaResponder(X509Certificate cert) {
        byte[] ext = CertExtensions.value(cert, Extension.authorityInfoAccess.getId());
        if (ext == null) {
            return null;
        }
        try {
            for (AccessDescription ad : AuthorityInformationAccess.getInstance(ASN1OctetString.getInstance(ext).getOctets())
                    .getAccessDescriptions()) {
                if (ad.getAccessMethod().equals(AccessDescription.id_ad_ocsp)
                        && ad.getAccessLocation().getTagNo() == GeneralName.uniformResourceIdentifier) {
                    return ad.getAccessLocation().getName().toString();
                }
            }
        } catch (RuntimeException e) {
            return null;
        }
        return null;
    }
}
