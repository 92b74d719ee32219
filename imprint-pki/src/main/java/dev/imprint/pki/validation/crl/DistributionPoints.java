package dev.imprint.pki.validation.crl;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

/** RFC 5280 6.3.3 (b)(2)(i): a CRL whose issuingDistributionPoint names a point covers only certificates that name it too. */
final class DistributionPoints {
    private DistributionPoints() {}

    static boolean match(ParsedCrl crl, X509Certificate cert) {
        if (crl.idp == null || crl.idp.getDistributionPoint() == null) {
            return true;
        }
        X500Name crlIssuer = X500Name.getInstance(crl.issuer.getEncoded());
        List<GeneralName> idpNames = names(crl.idp.getDistributionPoint(), crlIssuer);
        byte[] ext = cert.getExtensionValue(Extension.cRLDistributionPoints.getId());
        if (ext == null) {
            return false;
        }
        X500Name certIssuer = X500Name.getInstance(cert.getIssuerX500Principal().getEncoded());
        for (DistributionPoint dp : CRLDistPoint.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getDistributionPoints()) {
            if (dp.getDistributionPoint() == null) {
                continue;
            }
            for (GeneralName n : names(dp.getDistributionPoint(), certIssuer)) {
                if (idpNames.contains(n)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<GeneralName> names(DistributionPointName dpn, X500Name issuer) {
        List<GeneralName> out = new ArrayList<>();
        if (dpn.getType() == DistributionPointName.FULL_NAME) {
            for (GeneralName g : GeneralNames.getInstance(dpn.getName()).getNames()) {
                out.add(g);
            }
        } else {
            RDN[] base = issuer.getRDNs();
            RDN[] all = new RDN[base.length + 1];
            System.arraycopy(base, 0, all, 0, base.length);
            all[base.length] = RDN.getInstance(org.bouncycastle.asn1.ASN1Set.getInstance(dpn.getName()));
            out.add(new GeneralName(new X500Name(all)));
        }
        return out;
    }
}
