package dev.imprint.ca.issuance;

import dev.imprint.ca.hierarchy.IssuingCa;
import dev.imprint.pki.CryptoProviders;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERGeneralizedTime;
import org.bouncycastle.asn1.DERUTCTime;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;

/**
 * Builds and signs end-entity certificates of one issuing CA and one profile, fast.
 *
 * <p>Everything the profile fixes (version, signature AlgorithmIdentifier, issuer name,
 * basicConstraints, key usage, EKU, AKI, CRL distribution points, freshest CRL, AIA) is built
 * once as Bouncy Castle ASN.1 objects; per certificate only the serial, validity, subject, SAN,
 * SKI and public key are new. The TBS is DER-encoded once and signed with a per-thread
 * {@link Signature} of the CA's provider (ACCP for file keys). No certificate object is parsed
 * back: callers get DER.
 */
public final class LeafCertificateBuilder {
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'");
    private static final DateTimeFormatter GENERALIZED_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'");
    private static final DERTaggedObject VERSION_3 = new DERTaggedObject(true, 0, new ASN1Integer(2));
    private static final Extension NOT_A_CA = ext(Extension.basicConstraints, true, new BasicConstraints(false));

    private final IssuingCa ca;
    private final AlgorithmIdentifier signatureAlgorithm;
    private final X500Name issuer;
    private final Extension[] constant;
    private final ThreadLocal<Signature> signer;
    private final ThreadLocal<MessageDigest> sha1;

    /**
     * @param pkiBaseUrl base of the PKI repository for CRL DP, freshest CRL and AIA
     * @param keyUsage e.g. {@link KeyUsage#digitalSignature}
     * @param purposes the EKUs, e.g. clientAuth
     */
    public LeafCertificateBuilder(IssuingCa ca, String pkiBaseUrl, int keyUsage, KeyPurposeId... purposes) {
        this.ca = ca;
        this.signatureAlgorithm = new DefaultSignatureAlgorithmIdentifierFinder().find(ca.signatureAlgorithm());
        this.issuer = X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
        byte[] caKeyId = keyIdentifier(SubjectPublicKeyInfo.getInstance(ca.certificate().getPublicKey().getEncoded()));
        String crl = pkiBaseUrl + "/crl/" + ca.name() + ".crl";
        String delta = pkiBaseUrl + "/crl/" + ca.name() + "-delta.crl";
        this.constant = new Extension[] {
            NOT_A_CA,
            ext(Extension.keyUsage, true, new KeyUsage(keyUsage)),
            ext(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes)),
            ext(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(caKeyId)),
            ext(Extension.cRLDistributionPoints, false, distributionPoint(crl)),
            ext(Extension.freshestCRL, false, distributionPoint(delta)),
            ext(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(new AccessDescription[] {
                new AccessDescription(AccessDescription.id_ad_ocsp, uri(pkiBaseUrl + "/ocsp")),
                new AccessDescription(AccessDescription.id_ad_caIssuers, uri(pkiBaseUrl + "/ca/" + ca.name() + ".crt"))
            })),
        };
        this.signer = ThreadLocal.withInitial(() -> {
            try {
                Signature s = Signature.getInstance(ca.signatureAlgorithm(), ca.provider());
                s.initSign(ca.key());
                return s;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("CA " + ca.name() + " cannot sign", e);
            }
        });
        this.sha1 = ThreadLocal.withInitial(LeafCertificateBuilder::newSha1);
    }

    public IssuingCa ca() {
        return ca;
    }

    /** A subject of one CN. */
    public static X500Name commonName(String cn) {
        return new X500Name(new RDN[] {new RDN(BCStyle.CN, new DERUTF8String(cn))});
    }

    /** A SAN of one URI. */
    public static GeneralNames uriName(String uri) {
        return new GeneralNames(uri(uri));
    }

    /**
     * Builds and signs one certificate.
     *
     * @return the certificate's DER
     * @throws IllegalStateException when the CA key cannot sign (token gone, ...)
     */
    public byte[] build(BigInteger serial, Instant notBefore, Instant notAfter, X500Name subject, GeneralNames san,
                        SubjectPublicKeyInfo publicKey) {
        try {
            Extension[] exts = new Extension[constant.length + 2];
            System.arraycopy(constant, 0, exts, 0, constant.length);
            exts[constant.length] = ext(Extension.subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyIdentifier(publicKey)));
            // The subject is never empty, so the SAN is not critical (RFC 5280 4.2.1.6).
            exts[constant.length + 1] = ext(Extension.subjectAlternativeName, false, san);
            DERSequence tbs = new DERSequence(new ASN1Encodable[] {
                VERSION_3,
                new ASN1Integer(serial),
                signatureAlgorithm,
                issuer,
                new DERSequence(new ASN1Encodable[] {cachedTime(0, notBefore), cachedTime(1, notAfter)}),
                subject,
                publicKey,
                new DERTaggedObject(true, 3, new DERSequence(exts)),
            });
            byte[] tbsDer = tbs.getEncoded(ASN1Encoding.DER);
            Signature s = signer.get();
            s.update(tbsDer);
            byte[] sig = s.sign();
            return new DERSequence(new ASN1Encodable[] {tbs, signatureAlgorithm, new DERBitString(sig)}).getEncoded(ASN1Encoding.DER);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a certificate with CA " + ca.name(), e);
        }
    }

    /** One formatted time per slot (notBefore, notAfter): both change once a second, not per certificate. */
    private record TimeEntry(Instant at, Time time) {}

    private final java.util.concurrent.atomic.AtomicReferenceArray<TimeEntry> times = new java.util.concurrent.atomic.AtomicReferenceArray<>(2);

    private Time cachedTime(int slot, Instant t) {
        TimeEntry e = times.get(slot);
        if (e == null || !e.at.equals(t)) {
            // BC's time constructors validate by parsing with a new SimpleDateFormat: do that once per value.
            e = new TimeEntry(t, time(t));
            times.set(slot, e);
        }
        return e.time;
    }

    /**
     * RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. Formatted with a shared
     * {@link DateTimeFormatter} (Bouncy Castle's Date constructors make a SimpleDateFormat each time).
     */
    public static Time time(Instant t) {
        ZonedDateTime z = t.atZone(ZoneOffset.UTC);
        return z.getYear() < 2050
                ? new Time(new DERUTCTime(UTC_TIME.format(z)))
                : new Time(new DERGeneralizedTime(GENERALIZED_TIME.format(z)));
    }

    /** RFC 5280 method 1: SHA-1 of the subjectPublicKey BIT STRING's value. */
    byte[] keyIdentifier(SubjectPublicKeyInfo spki) {
        MessageDigest md = sha1 != null ? sha1.get() : newSha1();
        return md.digest(spki.getPublicKeyData().getBytes());
    }

    private static MessageDigest newSha1() {
        try {
            return MessageDigest.getInstance("SHA-1", CryptoProviders.fast());
        } catch (NoSuchAlgorithmException e) {
            try {
                return MessageDigest.getInstance("SHA-1");
            } catch (NoSuchAlgorithmException e2) {
                throw new IllegalStateException(e2);
            }
        }
    }

    private static GeneralName uri(String uri) {
        return new GeneralName(GeneralName.uniformResourceIdentifier, new DERIA5String(uri));
    }

    private static CRLDistPoint distributionPoint(String url) {
        return new CRLDistPoint(new DistributionPoint[] {
            new DistributionPoint(new DistributionPointName(new GeneralNames(uri(url))), null, null)
        });
    }

    private static Extension ext(org.bouncycastle.asn1.ASN1ObjectIdentifier oid, boolean critical, ASN1Encodable value) {
        try {
            return new Extension(oid, critical, new DEROctetString(value.toASN1Primitive().getEncoded(ASN1Encoding.DER)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

}
