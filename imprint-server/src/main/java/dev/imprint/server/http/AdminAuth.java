package dev.imprint.server.http;

import dev.imprint.pki.validation.ReasonCode;
import dev.imprint.pki.validation.Verdict;
import dev.imprint.pki.validation.Verdict.Step;
import dev.imprint.store.CertificateRecord;
import dev.imprint.store.CertificateStore;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a TLS client chain is an administrator: the leaf must be signed by the service
 * CA, valid now, carry EKU clientAuth, be recorded and unrevoked in the store, and name an
 * identity {@code urn:imprint:admin:NAME}. Each refusal has its own reason code.
 */
public final class AdminAuth {
    static final String ADMIN_URI_PREFIX = "urn:imprint:admin:";
    private static final String EKU_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    private final X509Certificate serviceCa;
    private final CertificateStore certificates;

    public AdminAuth(X509Certificate serviceCa, CertificateStore certificates) {
        this.serviceCa = serviceCa;
        this.certificates = certificates;
    }

    /** @return Accepted with identity {@code admin:NAME}, or Refused with the step and reason */
    public Verdict check(List<X509Certificate> peerChain) {
        if (peerChain.isEmpty()) {
            return new Verdict.Refused(Step.WELL_FORMED_AND_POSSESSION, ReasonCode.MALFORMED, "no client certificate");
        }
        X509Certificate leaf = peerChain.get(0);
        if (!leaf.getIssuerX500Principal().equals(serviceCa.getSubjectX500Principal())) {
            return new Verdict.Refused(Step.PATH, ReasonCode.UNKNOWN_ISSUER, "not issued by the service CA");
        }
        try {
            leaf.verify(serviceCa.getPublicKey());
        } catch (GeneralSecurityException e) {
            return new Verdict.Refused(Step.PATH, ReasonCode.BAD_SIGNATURE, "signature does not verify with the service CA key");
        }
        try {
            leaf.checkValidity(new Date());
        } catch (CertificateExpiredException e) {
            return new Verdict.Refused(Step.PATH, ReasonCode.EXPIRED, "certificate expired");
        } catch (CertificateNotYetValidException e) {
            return new Verdict.Refused(Step.PATH, ReasonCode.NOT_YET_VALID, "certificate not yet valid");
        }
        try {
            List<String> eku = leaf.getExtendedKeyUsage();
            if (eku == null || !eku.contains(EKU_CLIENT_AUTH)) {
                return new Verdict.Refused(Step.PATH, ReasonCode.WRONG_EKU, "no clientAuth extended key usage");
            }
        } catch (CertificateParsingException e) {
            return new Verdict.Refused(Step.WELL_FORMED_AND_POSSESSION, ReasonCode.MALFORMED, "unreadable extended key usage");
        }
        String serial = leaf.getSerialNumber().toString(16);
        Optional<CertificateRecord> rec = certificates.findBySerial(serial);
        if (rec.isEmpty()) {
            return new Verdict.Refused(Step.REVOCATION, ReasonCode.UNKNOWN_ISSUER, "certificate not recorded by this CA");
        }
        if (rec.get().revoked()) {
            return new Verdict.Refused(Step.REVOCATION, ReasonCode.REVOKED, "certificate revoked");
        }
        Optional<String> uri = sanUris(leaf).stream().filter(u -> u.startsWith("urn:imprint:")).findFirst();
        if (uri.isEmpty()) {
            return new Verdict.Refused(Step.IDENTITY, ReasonCode.NO_IDENTITY, "no urn:imprint: identity in the certificate");
        }
        if (!uri.get().startsWith(ADMIN_URI_PREFIX) || uri.get().length() == ADMIN_URI_PREFIX.length()) {
            return new Verdict.Refused(Step.AUTHORIZATION, ReasonCode.NOT_AUTHORIZED, uri.get() + " is not an administrator");
        }
        return new Verdict.Accepted("admin:" + uri.get().substring(ADMIN_URI_PREFIX.length()), List.of(leaf, serviceCa));
    }

    static List<String> sanUris(X509Certificate cert) {
        try {
            var sans = cert.getSubjectAlternativeNames();
            if (sans == null) {
                return List.of();
            }
            return sans.stream().filter(s -> ((Integer) s.get(0)) == 6).map(s -> (String) s.get(1)).toList();
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }

    static String serialHex(BigInteger serial) {
        return serial.toString(16);
    }
}
