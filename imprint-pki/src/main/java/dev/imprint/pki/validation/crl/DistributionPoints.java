package dev.imprint.pki.validation.crl;

import dev.imprint.pki.validation.CertExtensions;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

/** The certificate's cRLDistributionPoints and RFC 5280 6.3.3 (b)(2)(i): matching them against a CRL's issuingDistributionPoint. */
final class DistributionPoints {
    /** Stands for "no cRLDistributionPoints": the issuer's own complete CRLs, all reasons. */
    static final DistributionPoint IMPLICIT = new DistributionPoint(null, null, null);

    private DistributionPoints() {}

    /** The certificate's distribution points, or {@link #IMPLICIT} alone when it has none. */
    static List<DistributionPoint> of(X509Certificate cert) {
        byte[] ext = CertExtensions.value(cert, Extension.cRLDistributionPoints.getId());
        if (ext == null) {
            return List.of(IMPLICIT);
        }
        DistributionPoint[] dps = CRLDistPoint.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getDistributionPoints();
        return dps.length == 0 ? List.of(IMPLICIT) : List.of(dps);
    }

    /** The directory names of the point's cRLIssuer, empty when absent. */
    static List<X500Principal> crlIssuers(DistributionPoint dp) {
        List<X500Principal> out = new ArrayList<>();
        if (dp.getCRLIssuer() != null) {
            for (GeneralName g : dp.getCRLIssuer().getNames()) {
                if (g.getTagNo() == GeneralName.directoryName) {
                    out.add(principal(X500Name.getInstance(g.getName())));
                }
            }
        }
        return out;
    }

    /** True when the CRL's issuingDistributionPoint name (if any) matches a name of {@code dp}. */
    static boolean match(ParsedCrl crl, DistributionPoint dp, X509Certificate cert) {
        if (crl.idp == null || crl.idp.getDistributionPoint() == null) {
            return true;
        }
        List<GeneralName> idpNames = names(crl.idp.getDistributionPoint(), x500(crl.issuer));
        List<GeneralName> dpNames = new ArrayList<>();
        if (dp.getDistributionPoint() != null) {
            X500Name base = dp.getCRLIssuer() != null && !crlIssuers(dp).isEmpty()
                    ? x500(crlIssuers(dp).get(0)) : x500(cert.getIssuerX500Principal());
            dpNames.addAll(names(dp.getDistributionPoint(), base));
        } else if (dp.getCRLIssuer() != null) {
            dpNames.addAll(List.of(dp.getCRLIssuer().getNames()));
        }
        for (GeneralName n : dpNames) {
            if (idpNames.contains(n)) {
                return true;
            }
        }
        return false;
    }

    private static List<GeneralName> names(DistributionPointName dpn, X500Name issuer) {
        List<GeneralName> out = new ArrayList<>();
        if (dpn.getType() == DistributionPointName.FULL_NAME) {
            out.addAll(List.of(GeneralNames.getInstance(dpn.getName()).getNames()));
        } else {
            RDN[] base = issuer.getRDNs();
            RDN[] all = new RDN[base.length + 1];
            System.arraycopy(base, 0, all, 0, base.length);
            all[base.length] = RDN.getInstance(ASN1Set.getInstance(dpn.getName()));
            out.add(new GeneralName(new X500Name(all)));
        }
        return out;
    }

    private static X500Name x500(X500Principal p) {
        return X500Name.getInstance(p.getEncoded());
    }

    private static X500Principal principal(X500Name n) {
        try {
            return new X500Principal(n.getEncoded());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
