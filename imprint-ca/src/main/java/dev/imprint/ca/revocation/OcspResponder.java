package dev.imprint.ca.revocation;

import dev.imprint.ca.hierarchy.IssuingCa;
import dev.imprint.ca.issuance.Serials;
import dev.imprint.store.CertificateRecord;
import dev.imprint.store.CertificateStore;
import java.security.cert.CertificateEncodingException;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * RFC 6960 responder answering from the store, so a revocation shows at once. Responses are
 * signed by the issuing CA itself (no delegated responder: one key less to manage), with the
 * responder ID by key hash; a request nonce is echoed. Requests about certificates of
 * different CAs are answered for the CA of the first; the others are "unknown".
 */
final class OcspResponder {
    private final List<IssuingCa> cas;
    private final List<X509CertificateHolder> holders = new ArrayList<>();
    private final CertificateStore certificates;
    private final DigestCalculatorProvider digests;

    OcspResponder(List<IssuingCa> cas, CertificateStore certificates) {
        this.cas = cas;
        this.certificates = certificates;
        try {
            for (IssuingCa ca : cas) {
                holders.add(new JcaX509CertificateHolder(ca.certificate()));
            }
            this.digests = new JcaDigestCalculatorProviderBuilder().build();
        } catch (CertificateEncodingException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    byte[] respond(byte[] der) {
        try {
            OCSPReq req;
            try {
                req = new OCSPReq(der);
            } catch (Exception e) {
                return status(OCSPRespBuilder.MALFORMED_REQUEST);
            }
            Req[] items = req.getRequestList();
            if (items.length == 0 || items.length > 50) {
                return status(OCSPRespBuilder.MALFORMED_REQUEST);
            }
            int caIndex = -1;
            for (int i = 0; i < holders.size() && caIndex < 0; i++) {
                if (items[0].getCertID().matchesIssuer(holders.get(i), digests)) {
                    caIndex = i;
                }
            }
            if (caIndex < 0) {
                return status(OCSPRespBuilder.UNAUTHORIZED);
            }
            IssuingCa ca = cas.get(caIndex);
            X509CertificateHolder caHolder = holders.get(caIndex);
            BasicOCSPRespBuilder b = new BasicOCSPRespBuilder(
                    SubjectPublicKeyInfo.getInstance(ca.certificate().getPublicKey().getEncoded()),
                    digests.get(CertificateID.HASH_SHA1));
            Date now = new Date();
            for (Req r : items) {
                CertificateID id = r.getCertID();
                b.addResponse(id, statusOf(id, ca, caHolder), now, null, null);
            }
            Extension nonce = req.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
            if (nonce != null) {
                b.setResponseExtensions(new Extensions(nonce));
            }
            var signer = new JcaContentSignerBuilder(ca.signatureAlgorithm()).setProvider(ca.provider()).build(ca.key());
            var basic = b.build(signer, new X509CertificateHolder[] {caHolder}, now);
            return new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, basic).getEncoded();
        } catch (Exception e) {
            return status(OCSPRespBuilder.INTERNAL_ERROR);
        }
    }

    private CertificateStatus statusOf(CertificateID id, IssuingCa ca, X509CertificateHolder caHolder) throws OCSPException {
        if (!id.matchesIssuer(caHolder, digests)) {
            return new UnknownStatus();
        }
        Optional<CertificateRecord> rec = certificates.findBySerial(Serials.hex(id.getSerialNumber()));
        if (rec.isEmpty() || !rec.get().ca().equals(ca.name())) {
            return new UnknownStatus();
        }
        CertificateRecord r = rec.get();
        if (r.revoked()) {
            return new RevokedStatus(Date.from(r.revokedAt()), r.revocationReason() == null ? 0 : r.revocationReason());
        }
        return CertificateStatus.GOOD;
    }

    private static byte[] status(int status) {
        try {
            return new OCSPRespBuilder().build(status, null).getEncoded();
        } catch (java.io.IOException | OCSPException e) {
            throw new IllegalStateException(e);
        }
    }

}
