package dev.imprint.ca.revocation;

import dev.imprint.ca.hierarchy.IssuingCa;
import dev.imprint.ca.issuance.LeafCertificateBuilder;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;

/**
 * Builds and signs CRLs from Bouncy Castle ASN.1 objects. Entries are values that never change
 * (revocation is permanent), so a publisher keeps them between full CRLs and only appends new
 * ones; a CRL of a million entries is then an encoding pass and one signature, not a million
 * builder calls (Bouncy Castle's {@code X509v2CRLBuilder} formats every date through a new
 * SimpleDateFormat).
 */
final class CrlEncoder {
    private static final ASN1Integer V2 = new ASN1Integer(1);
    private static final Extensions[] REASONS = new Extensions[11];

    static {
        for (int r = 1; r <= 10; r++) {
            if (r != 7) {
                try {
                    REASONS[r] = new Extensions(new Extension(Extension.reasonCode, false,
                            new DEROctetString(CRLReason.lookup(r).getEncoded(ASN1Encoding.DER))));
                } catch (IOException e) {
                    throw new ExceptionInInitializerError(e);
                }
            }
        }
    }

    private final IssuingCa ca;
    private final AlgorithmIdentifier signatureAlgorithm;
    private final X500Name issuer;

    CrlEncoder(IssuingCa ca) {
        this.ca = ca;
        this.signatureAlgorithm = new DefaultSignatureAlgorithmIdentifierFinder().find(ca.signatureAlgorithm());
        this.issuer = X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
    }

    /** One revokedCertificates entry; reason 0 (unspecified) is left out, as RFC 5280 asks. */
    static ASN1Encodable entry(String serialHex, Instant revokedAt, int reason) {
        ASN1Encodable[] parts = reason > 0 && reason < REASONS.length && REASONS[reason] != null
                ? new ASN1Encodable[] {new ASN1Integer(new BigInteger(serialHex, 16)), LeafCertificateBuilder.time(revokedAt), REASONS[reason]}
                : new ASN1Encodable[] {new ASN1Integer(new BigInteger(serialHex, 16)), LeafCertificateBuilder.time(revokedAt)};
        return new DERSequence(parts);
    }

    /** The signed CRL's DER. */
    byte[] sign(List<ASN1Encodable> entries, Instant thisUpdate, Instant nextUpdate, Extension... extensions) {
        try {
            ASN1EncodableVector tbs = new ASN1EncodableVector(7);
            tbs.add(V2);
            tbs.add(signatureAlgorithm);
            tbs.add(issuer);
            tbs.add(LeafCertificateBuilder.time(thisUpdate));
            tbs.add(LeafCertificateBuilder.time(nextUpdate));
            if (!entries.isEmpty()) {
                tbs.add(new DERSequence(entries.toArray(new ASN1Encodable[0])));
            }
            tbs.add(new DERTaggedObject(true, 0, new Extensions(extensions)));
            DERSequence tbsSeq = new DERSequence(tbs);
            byte[] tbsDer = tbsSeq.getEncoded(ASN1Encoding.DER);
            Signature s = Signature.getInstance(ca.signatureAlgorithm(), ca.provider());
            s.initSign(ca.key());
            s.update(tbsDer);
            return new DERSequence(new ASN1Encodable[] {tbsSeq, signatureAlgorithm, new DERBitString(s.sign())})
                    .getEncoded(ASN1Encoding.DER);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign CRL of " + ca.name(), e);
        }
    }
}
