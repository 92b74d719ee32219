package dev.imprint.ca.issuance;

import dev.imprint.ca.CaException;
import dev.imprint.ca.CaException.Reason;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.asn1.pkcs.CertificationRequestInfo;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * A PKCS#10 request, parsed once. Only the public key and the requested device ID are used
 * for the certificate; the rest is read solely to refuse what the profile does not allow.
 */
public final class ParsedCsr {
    private final CertificationRequest request;
    private final Extensions requestedExtensions;

    private ParsedCsr(CertificationRequest request, Extensions requestedExtensions) {
        this.request = request;
        this.requestedExtensions = requestedExtensions;
    }

    /** @throws CaException CSR_MALFORMED when the bytes are not a well-formed PKCS#10 request */
    public static ParsedCsr parse(byte[] der) {
        try {
            CertificationRequest req = CertificationRequest.getInstance(der);
            CertificationRequestInfo info = req.getCertificationRequestInfo();
            if (info == null || info.getSubjectPublicKeyInfo() == null || req.getSignature() == null
                    || req.getSignatureAlgorithm() == null) {
                throw new IllegalArgumentException("incomplete request");
            }
            if (!info.getVersion().hasValue(0)) {
                throw new IllegalArgumentException("unknown PKCS#10 version " + info.getVersion());
            }
            Extensions ext = null;
            ASN1Set attrs = info.getAttributes();
            if (attrs != null) {
                for (ASN1Encodable e : attrs) {
                    Attribute a = Attribute.getInstance(e);
                    if (PKCSObjectIdentifiers.pkcs_9_at_extensionRequest.equals(a.getAttrType())) {
                        if (ext != null || a.getAttrValues().size() != 1) {
                            throw new IllegalArgumentException("more than one extension request");
                        }
                        ext = Extensions.getInstance(a.getAttrValues().getObjectAt(0));
                    }
                }
            }
            return new ParsedCsr(req, ext);
        } catch (CaException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CaException(Reason.CSR_MALFORMED, "not a well-formed PKCS#10 request: " + e.getMessage(), e);
        }
    }

    public CertificationRequest request() {
        return request;
    }

    public SubjectPublicKeyInfo publicKey() {
        return request.getCertificationRequestInfo().getSubjectPublicKeyInfo();
    }

    public X500Name subject() {
        return request.getCertificationRequestInfo().getSubject();
    }

    /** The extensionRequest attribute, or null. */
    public Extensions requestedExtensions() {
        return requestedExtensions;
    }
}
