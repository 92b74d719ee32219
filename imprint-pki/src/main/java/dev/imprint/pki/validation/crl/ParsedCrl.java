package dev.imprint.pki.validation.crl;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1SequenceParser;
import org.bouncycastle.asn1.ASN1StreamParser;
import org.bouncycastle.asn1.ASN1TaggedObjectParser;
import org.bouncycastle.asn1.ASN1UTCTime;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.operator.ContentVerifier;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import dev.imprint.pki.CryptoProviders;

/**
 * One CRL, parsed with Bouncy Castle's streaming ASN.1 classes so that a CRL of a million
 * entries never exists as a million entry objects: the revoked serials go straight into a
 * {@link SerialIndex}. The signature is checked later, when the issuer's key is known.
 */
final class ParsedCrl {
    private static final Set<String> KNOWN_CRITICAL = Set.of(Extension.deltaCRLIndicator.getId(),
            Extension.issuingDistributionPoint.getId());
    private static final Set<String> KNOWN_ENTRY_CRITICAL = Set.of(Extension.certificateIssuer.getId());

    final X500Principal issuer;
    final Instant thisUpdate;
    final Instant nextUpdate;
    final BigInteger crlNumber;
    final BigInteger deltaBase;
    final IssuingDistributionPoint idp;
    final byte[] authorityKeyId;
    final SerialIndex revoked;
    /** Indirect CRLs: entries for certificates of other issuers (certificateIssuer), by issuer; empty otherwise. */
    final java.util.Map<X500Principal, SerialIndex> otherIssuers;
    /** Why this CRL cannot be used although it parsed (null when usable). */
    final String problem;
    private final AlgorithmIdentifier sigAlg;
    private final byte[] signature;
    private volatile byte[] tbs;
    private volatile PublicKey verifiedWith;

    private ParsedCrl(Builder b) {
        issuer = b.issuer;
        thisUpdate = b.thisUpdate;
        nextUpdate = b.nextUpdate;
        crlNumber = b.crlNumber;
        deltaBase = b.deltaBase;
        idp = b.idp;
        authorityKeyId = b.aki;
        revoked = b.revoked;
        otherIssuers = b.otherIssuers;
        problem = b.problem;
        sigAlg = b.sigAlg;
        signature = b.signature;
        tbs = b.tbs;
    }

    /** The entries that concern certificates issued by {@code certIssuer}. */
    SerialIndex entriesFor(X500Principal certIssuer) {
        if (certIssuer.equals(issuer)) {
            return revoked;
        }
        SerialIndex other = otherIssuers.get(certIssuer);
        return other != null ? other : EMPTY;
    }

    private static final SerialIndex EMPTY = new SerialIndex(16);

    boolean isDelta() {
        return deltaBase != null;
    }

    /** Verifies the CRL's signature with {@code key} (remembered once it succeeded). Never throws. */
    boolean verify(PublicKey key) {
        PublicKey done = verifiedWith;
        if (done != null) {
            return done.equals(key);
        }
        try {
            ContentVerifier v = new JcaContentVerifierProviderBuilder().setProvider(CryptoProviders.bouncyCastle())
                    .build(key).get(sigAlg);
            v.getOutputStream().write(tbs);
            if (v.verify(signature)) {
                verifiedWith = key;
                tbs = null; // no longer needed: a million-entry CRL should not keep its bytes twice
                return true;
            }
        } catch (Exception e) {
            return false;
        }
        return false;
    }

    /** @throws IOException when the bytes are not a CRL */
    static ParsedCrl parse(byte[] der) throws IOException {
        ASN1Sequence crl;
        try (ASN1InputStream in = new ASN1InputStream(der, true)) { // lazy: children stay encoded
            crl = ASN1Sequence.getInstance(in.readObject());
            // size() decodes the lazy sequence: inside the try, so bad lengths are "not a CRL" too (found by fuzzing)
            if (crl == null || crl.size() != 3) {
                throw new IOException("not a CRL: expected SEQUENCE of 3");
            }
        } catch (RuntimeException e) {
            throw new IOException("not a CRL: " + e.getMessage(), e);
        }
        Builder b = new Builder();
        try {
            b.tbs = crl.getObjectAt(0).toASN1Primitive().getEncoded();
            b.sigAlg = AlgorithmIdentifier.getInstance(crl.getObjectAt(1));
            b.signature = DERBitString.getInstance(crl.getObjectAt(2)).getOctets();
            readTbs(b);
        } catch (RuntimeException e) {
            throw new IOException("CRL does not parse: " + e.getMessage(), e);
        }
        return new ParsedCrl(b);
    }

    private static void readTbs(Builder b) throws IOException {
        ASN1SequenceParser tbs = (ASN1SequenceParser) new ASN1StreamParser(b.tbs).readObject();
        ASN1Encodable o = tbs.readObject();
        if (o instanceof ASN1Integer) {
            o = tbs.readObject();
        }
        AlgorithmIdentifier inner = AlgorithmIdentifier.getInstance(((ASN1SequenceParser) o).toASN1Primitive());
        if (!inner.equals(b.sigAlg)) {
            b.problem = "signature algorithm inside and outside the CRL differ";
        }
        X500Name name = X500Name.getInstance(((ASN1SequenceParser) tbs.readObject()).toASN1Primitive());
        b.issuer = new X500Principal(name.getEncoded());
        b.thisUpdate = time(tbs.readObject());
        o = tbs.readObject();
        if (o instanceof ASN1UTCTime || o instanceof ASN1GeneralizedTime) {
            b.nextUpdate = time(o);
            o = tbs.readObject();
        }
        if (o instanceof ASN1SequenceParser revokedList) {
            readEntries(b, revokedList);
            o = tbs.readObject();
        } else if (b.revoked == null) {
            b.revoked = new SerialIndex(16);
        }
        if (o instanceof ASN1TaggedObjectParser tagged) {
            ASN1Primitive p = tagged.getLoadedObject().toASN1Primitive();
            readExtensions(b, Extensions.getInstance(org.bouncycastle.asn1.ASN1TaggedObject.getInstance(p), true));
        }
    }

    private static void readEntries(Builder b, ASN1SequenceParser list) throws IOException {
        SerialIndex index = new SerialIndex(1024);
        TimeCache times = new TimeCache();
        SerialIndex current = index;
        ASN1Encodable e;
        while ((e = list.readObject()) != null) {
            ASN1Sequence entry = ASN1Sequence.getInstance(((ASN1SequenceParser) e).toASN1Primitive());
            byte[] serial = ASN1Integer.getInstance(entry.getObjectAt(0)).getValue().toByteArray();
            long at = times.epochSecond(entry.getObjectAt(1));
            int reason = -1;
            if (entry.size() > 2) {
                Extensions exts = Extensions.getInstance(entry.getObjectAt(2));
                for (var oid : exts.getCriticalExtensionOIDs()) {
                    if (!KNOWN_ENTRY_CRITICAL.contains(oid.getId())) {
                        b.problem = "unknown critical CRL entry extension " + oid;
                    }
                }
                Extension r = exts.getExtension(Extension.reasonCode);
                if (r != null) {
                    reason = CRLReason.getInstance(r.getParsedValue()).getValue().intValue();
                }
                Extension ci = exts.getExtension(Extension.certificateIssuer);
                if (ci != null) {
                    current = indexFor(b, index, org.bouncycastle.asn1.x509.GeneralNames.getInstance(ci.getParsedValue()));
                }
            }
            if (!current.add(serial, at, reason)) {
                b.problem = "serial number longer than 20 octets on the CRL";
            }
        }
        b.revoked = index;
    }

    /** RFC 5280 5.3.3: this and the following entries belong to the named issuer. */
    private static SerialIndex indexFor(Builder b, SerialIndex own, org.bouncycastle.asn1.x509.GeneralNames names) {
        for (org.bouncycastle.asn1.x509.GeneralName n : names.getNames()) {
            if (n.getTagNo() == org.bouncycastle.asn1.x509.GeneralName.directoryName) {
                try {
                    X500Principal p = new X500Principal(X500Name.getInstance(n.getName()).getEncoded());
                    if (p.equals(b.issuer)) {
                        return own;
                    }
                    if (b.otherIssuers.isEmpty()) {
                        b.otherIssuers = new java.util.HashMap<>();
                    }
                    return b.otherIssuers.computeIfAbsent(p, k -> new SerialIndex(64));
                } catch (IOException ex) {
                    break;
                }
            }
        }
        b.problem = "certificateIssuer CRL entry extension without a directory name";
        return own;
    }

    private static void readExtensions(Builder b, Extensions exts) {
        for (var oid : exts.getCriticalExtensionOIDs()) {
            if (!KNOWN_CRITICAL.contains(oid.getId())) {
                b.problem = "unknown critical CRL extension " + oid;
            }
        }
        Extension number = exts.getExtension(Extension.cRLNumber);
        if (number != null) {
            if (number.isCritical()) {
                b.problem = "cRLNumber must not be critical (RFC 5280 5.2.3)";
            }
            b.crlNumber = ASN1Integer.getInstance(number.getParsedValue()).getValue();
        }
        Extension delta = exts.getExtension(Extension.deltaCRLIndicator);
        if (delta != null) {
            b.deltaBase = ASN1Integer.getInstance(delta.getParsedValue()).getValue();
        }
        Extension idp = exts.getExtension(Extension.issuingDistributionPoint);
        if (idp != null) {
            b.idp = IssuingDistributionPoint.getInstance(idp.getParsedValue());

        }
        if (!b.otherIssuers.isEmpty() && (b.idp == null || !b.idp.isIndirectCRL())) {
            b.problem = "certificateIssuer entries on a CRL that is not marked indirect";
        }
        Extension aki = exts.getExtension(Extension.authorityKeyIdentifier);
        if (aki != null) {
            b.aki = org.bouncycastle.asn1.x509.AuthorityKeyIdentifier.getInstance(aki.getParsedValue()).getKeyIdentifierOctets();
        }
    }

    private static Instant time(ASN1Encodable o) {
        return Time.getInstance(o).getDate().toInstant();
    }

    /**
     * Revocation times repeat (CAs revoke in batches) and BC's Date conversion is slow, so the
     * last conversion is remembered; a million entries would otherwise spend seconds here.
     */
    private static final class TimeCache {
        private String lastText;
        private long lastEpoch;

        long epochSecond(ASN1Encodable time) {
            String text = time instanceof ASN1UTCTime u ? u.getTime()
                    : time instanceof ASN1GeneralizedTime g ? g.getTime() : null;
            if (text != null && text.equals(lastText)) {
                return lastEpoch;
            }
            long epoch = Time.getInstance(time).getDate().toInstant().getEpochSecond();
            lastText = text;
            lastEpoch = epoch;
            return epoch;
        }
    }

    static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    private static final class Builder {
        X500Principal issuer;
        Instant thisUpdate;
        Instant nextUpdate;
        BigInteger crlNumber;
        BigInteger deltaBase;
        IssuingDistributionPoint idp;
        byte[] aki;
        SerialIndex revoked;
        java.util.Map<X500Principal, SerialIndex> otherIssuers = java.util.Map.of();
        String problem;
        AlgorithmIdentifier sigAlg;
        byte[] signature;
        byte[] tbs;
    }
}
