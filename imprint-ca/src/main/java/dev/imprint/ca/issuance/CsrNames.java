package dev.imprint.ca.issuance;

import dev.imprint.ca.CaException;
import dev.imprint.ca.CaException.Reason;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;

/** Reads the requested device ID from a CSR and refuses names and rights the profile does not give. */
public final class CsrNames {
    private CsrNames() {}

    /**
     * The device ID from the subject CN and/or a SAN URI {@code urn:imprint:device:ID}.
     *
     * @throws CaException CSR_FORBIDDEN_NAMES (other subject attributes, other SANs, CN and SAN
     *     disagree), ID_MISSING, ID_INVALID
     */
    public static String deviceId(ParsedCsr csr) {
        String cn = null;
        for (RDN rdn : csr.subject().getRDNs()) {
            for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
                if (!BCStyle.CN.equals(atv.getType()) || cn != null || !(atv.getValue() instanceof ASN1String s)) {
                    throw new CaException(Reason.CSR_FORBIDDEN_NAMES,
                            "the CSR subject may hold one common name (the device ID) and nothing else");
                }
                cn = s.getString();
            }
        }
        String san = null;
        Extensions ext = csr.requestedExtensions();
        if (ext != null && ext.getExtension(Extension.subjectAlternativeName) != null) {
            GeneralNames names;
            try {
                names = GeneralNames.getInstance(ext.getExtensionParsedValue(Extension.subjectAlternativeName));
            } catch (RuntimeException e) {
                throw new CaException(Reason.CSR_MALFORMED, "unreadable subjectAltName request", e);
            }
            for (GeneralName n : names.getNames()) {
                if (n.getTagNo() != GeneralName.uniformResourceIdentifier || san != null) {
                    throw new CaException(Reason.CSR_FORBIDDEN_NAMES,
                            "the CSR may request one SAN, the URI " + DeviceIds.DEVICE_URN + "ID, and nothing else");
                }
                String uri = ((ASN1String) n.getName()).getString();
                if (!uri.startsWith(DeviceIds.DEVICE_URN)) {
                    throw new CaException(Reason.CSR_FORBIDDEN_NAMES, "SAN URI " + uri + " is not a device URN");
                }
                san = uri.substring(DeviceIds.DEVICE_URN.length());
            }
        }
        if (cn != null && san != null && !cn.equals(san)) {
            throw new CaException(Reason.CSR_FORBIDDEN_NAMES, "subject CN " + cn + " and SAN device ID " + san + " differ");
        }
        String id = cn != null ? cn : san;
        if (id == null || id.isEmpty()) {
            throw new CaException(Reason.ID_MISSING, "the CSR names no device ID (subject CN or SAN URI " + DeviceIds.DEVICE_URN + "ID)");
        }
        if (!DeviceIds.valid(id)) {
            throw new CaException(Reason.ID_INVALID, "device ID is not 1-128 of [A-Za-z0-9._:@+=-]");
        }
        return id;
    }

    /** @throws CaException CSR_ASKS_FOR_CA when the CSR requests cA=true, keyCertSign/cRLSign or name constraints */
    public static void refuseCaRights(ParsedCsr csr) {
        Extensions ext = csr.requestedExtensions();
        if (ext == null) {
            return;
        }
        try {
            BasicConstraints bc = BasicConstraints.fromExtensions(ext);
            if (bc != null && bc.isCA()) {
                throw new CaException(Reason.CSR_ASKS_FOR_CA, "the CSR asks for a CA certificate (basicConstraints cA=true)");
            }
            KeyUsage ku = KeyUsage.fromExtensions(ext);
            if (ku != null && (ku.hasUsages(KeyUsage.keyCertSign) || ku.hasUsages(KeyUsage.cRLSign))) {
                throw new CaException(Reason.CSR_ASKS_FOR_CA, "the CSR asks for keyCertSign or cRLSign");
            }
        } catch (IllegalArgumentException e) {
            throw new CaException(Reason.CSR_MALFORMED, "unreadable extension request", e);
        }
        if (ext.getExtension(Extension.nameConstraints) != null) {
            throw new CaException(Reason.CSR_ASKS_FOR_CA, "the CSR asks for name constraints");
        }
    }
}
