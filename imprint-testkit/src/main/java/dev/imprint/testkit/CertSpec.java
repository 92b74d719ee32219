package dev.imprint.testkit;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * One certificate to issue, configured fluently: {@code pki.leaf("dev-1").eku(...).issueLeaf()}.
 * Defaults: EC P-256, valid from an hour ago for a year, end entity with digitalSignature and
 * clientAuth.
 */
public final class CertSpec {
    private final TestPki pki;
    private final String subject;
    private final TestPki.Ca issuer;
    private Instant notBefore;
    private Instant notAfter;
    private int pathLen = -2; // -2: end entity; -1: CA without pathLen; >= 0: CA with pathLen
    private boolean notCa;
    private final List<String> ekus = new ArrayList<>(List.of(KeyPurposeId.id_kp_clientAuth.getId()));
    private final List<GeneralName> sans = new ArrayList<>();
    private final List<String> criticalExtensions = new ArrayList<>();
    private String permittedUriHost;
    private KeyPair key;

    CertSpec(TestPki pki, String subject, TestPki.Ca issuer) {
        this.pki = pki;
        this.subject = subject;
        this.issuer = issuer;
        this.notBefore = pki.now().minus(Duration.ofHours(1));
        this.notAfter = pki.now().plus(Duration.ofDays(365));
    }

    /** Adds the device SAN URI of {@code deviceId}. */
    public CertSpec device(String deviceId) {
        return uri(TestPki.deviceUri(deviceId));
    }

    public CertSpec uri(String uri) {
        sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
        return this;
    }

    public CertSpec dns(String name) {
        sans.add(new GeneralName(GeneralName.dNSName, name));
        return this;
    }

    public CertSpec validity(Instant from, Instant to) {
        this.notBefore = from;
        this.notAfter = to;
        return this;
    }

    /** Replaces the EKUs (OIDs); none for no extension. */
    public CertSpec eku(String... oids) {
        ekus.clear();
        ekus.addAll(List.of(oids));
        return this;
    }

    public CertSpec rsaKey(int bits) {
        this.key = TestPki.rsaKey(bits);
        return this;
    }

    public CertSpec key(KeyPair key) {
        this.key = key;
        return this;
    }

    public CertSpec criticalExtension(String oid) {
        criticalExtensions.add(oid);
        return this;
    }

    /** Makes it a CA ({@code pathLen} < 0 for none). */
    public CertSpec ca(int pathLen) {
        this.pathLen = Math.max(-1, pathLen);
        ekus.clear();
        // CAs outlive their devices: valid from a year ago for ten years, so past validation times work
        this.notBefore = pki.now().minus(Duration.ofDays(365));
        this.notAfter = pki.now().plus(Duration.ofDays(3650));
        return this;
    }

    /** A would-be issuer whose basicConstraints say cA=false. */
    public CertSpec notCa() {
        this.notCa = true;
        ekus.clear();
        this.notBefore = pki.now().minus(Duration.ofDays(365));
        return this;
    }

    public CertSpec permittedUriHost(String host) {
        this.permittedUriHost = host;
        return this;
    }

    /** Issues a CA (or a not-CA used as issuer). */
    public TestPki.Ca issue() {
        KeyPair k = key != null ? key : TestPki.ecKey();
        return new TestPki.Ca(build(k), k);
    }

    /** Issues an end entity under the issuing CA; chain = leaf, issuing CA. */
    public TestPki.Issued issueLeaf() {
        return issueLeafVia(pki.issuingCa());
    }

    /** Issues an end entity; chain = leaf, then {@code cas} (nearest first), then the issuing CA. */
    public TestPki.Issued issueLeafVia(TestPki.Ca... cas) {
        KeyPair k = key != null ? key : TestPki.ecKey();
        X509Certificate cert = build(k);
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(cert);
        for (TestPki.Ca ca : cas) {
            if (!ca.cert().equals(pki.root()) && !chain.contains(ca.cert())) {
                chain.add(ca.cert());
            }
        }
        if (!chain.contains(pki.intermediate())) {
            chain.add(pki.intermediate());
        }
        return new TestPki.Issued(cert, k, chain);
    }

    private X509Certificate build(KeyPair k) {
        try {
            X500Name subj = new X500Name(subject);
            X500Name iss = issuer == null ? subj : issuer.name();
            KeyPair signer = issuer == null ? k : issuer.key();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(iss, TestPki.serial(),
                    Date.from(notBefore), Date.from(notAfter), subj, k.getPublic());
            JcaX509ExtensionUtils u = new JcaX509ExtensionUtils();
            b.addExtension(Extension.subjectKeyIdentifier, false, u.createSubjectKeyIdentifier(k.getPublic()));
            if (issuer != null) {
                b.addExtension(Extension.authorityKeyIdentifier, false, u.createAuthorityKeyIdentifier(issuer.cert()));
            }
            boolean ca = pathLen >= -1;
            if (ca) {
                b.addExtension(Extension.basicConstraints, true, pathLen >= 0 ? new BasicConstraints(pathLen) : new BasicConstraints(true));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else if (notCa) {
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            } else {
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                if (pki.crlUrl() != null) {
                    GeneralNames gn = new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, pki.crlUrl()));
                    b.addExtension(Extension.cRLDistributionPoints, false, new CRLDistPoint(new DistributionPoint[] {
                            new DistributionPoint(new DistributionPointName(gn), null, null)}));
                }
            }
            if (!ekus.isEmpty()) {
                KeyPurposeId[] ids = ekus.stream().map(o -> KeyPurposeId.getInstance(new ASN1ObjectIdentifier(o)))
                        .toArray(KeyPurposeId[]::new);
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(ids));
            }
            if (!sans.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(new GeneralName[0])));
            }
            if (permittedUriHost != null) {
                GeneralSubtree t = new GeneralSubtree(new GeneralName(GeneralName.uniformResourceIdentifier, permittedUriHost));
                b.addExtension(Extension.nameConstraints, true, new NameConstraints(new GeneralSubtree[] {t}, null));
            }
            for (String oid : criticalExtensions) {
                b.addExtension(new ASN1ObjectIdentifier(oid), true, DERNull.INSTANCE);
            }
            var holder = b.build(new JcaContentSignerBuilder(TestPki.sigAlg(signer)).build(signer.getPrivate()));
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue " + subject, e);
        }
    }

}
