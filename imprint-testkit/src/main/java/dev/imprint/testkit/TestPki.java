package dev.imprint.testkit;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * An in-memory test PKI, generated at test time (no checked-in keys, nothing that expires and
 * breaks the build): a root, an issuing intermediate, and device leaves, good or bad in one line.
 *
 * <pre>{@code
 * TestPki pki = TestPki.create();
 * TestPki.Issued dev = pki.device("dev-001");          // chain: leaf, intermediate
 * TestPki.Issued old = pki.expiredDevice("dev-002");
 * X509CRL crl = pki.crl();                              // revokes what revokedDevice() issued
 * }</pre>
 *
 * Devices carry subject CN = the ID, SAN URI {@link #deviceUri(String)}, keyUsage
 * digitalSignature and EKU clientAuth, an EC P-256 key, and a CRL distribution point when
 * {@link #crlUrl(String)} was set. All certificates are valid from an hour ago unless stated.
 * Thread-safe enough for tests; not for production.
 */
public final class TestPki {
    /** The SAN URI prefix of device certificates. */
    public static final String DEVICE_URI_PREFIX = "urn:imprint:device:";

    private static final SecureRandom RANDOM = new SecureRandom();
    private final Instant now;
    private final Ca root;
    private final Ca issuing;
    private final List<BigInteger> revoked = new ArrayList<>();
    private final Map<String, Ca> extraCas = new ConcurrentHashMap<>();
    private String crlUrl;
    private long crlNumber = 1;

    /** A CA: its certificate and key pair. */
    public record Ca(X509Certificate cert, KeyPair key) {
        public X500Name name() {
            return X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
        }
    }

    /**
     * An issued end-entity certificate with its key and the chain a device would present
     * ({@code chain} = leaf first, then intermediates, root excluded).
     */
    public record Issued(X509Certificate cert, KeyPair key, List<X509Certificate> chain) {
        public Issued {
            chain = List.copyOf(chain);
        }
    }

    private TestPki(Instant now, String rootName, String issuingName) {
        this.now = now;
        this.root = new CertSpec(this, rootName, null).ca(-1).issue();
        this.issuing = new CertSpec(this, issuingName, root).ca(-1).issue();
    }

    /** A fresh PKI: "CN=Imprint Test Root" and "CN=Imprint Test Issuing CA", EC P-256. */
    public static TestPki create() {
        return new TestPki(Instant.now(), "CN=Imprint Test Root", "CN=Imprint Test Issuing CA");
    }

    /** A fresh PKI with the given subject DNs for its root and issuing CA. */
    public static TestPki create(String rootDn, String issuingDn) {
        return new TestPki(Instant.now(), rootDn, issuingDn);
    }

    /** Another PKI whose root and issuing CA have the same subjects as {@code other}'s, but other keys. */
    public static TestPki foreignWithSameSubjects(TestPki other) {
        return new TestPki(other.now, other.root.cert.getSubjectX500Principal().getName(),
                other.issuing.cert.getSubjectX500Principal().getName());
    }

    public Instant now() { return now; }

    public X509Certificate root() { return root.cert; }

    public Ca rootCa() { return root; }

    public X509Certificate intermediate() { return issuing.cert; }

    public Ca issuingCa() { return issuing; }

    /** Sets the CRL distribution point URL put into devices issued from now on. */
    public TestPki crlUrl(String url) {
        this.crlUrl = url;
        return this;
    }

    String crlUrl() { return crlUrl; }

    public static String deviceUri(String deviceId) {
        return DEVICE_URI_PREFIX + deviceId;
    }

    /** Starts a custom certificate issued by the issuing CA; see {@link CertSpec}. */
    public CertSpec leaf(String deviceId) {
        return new CertSpec(this, "CN=" + deviceId, issuing).device(deviceId);
    }

    /** Starts a custom certificate issued by {@code issuer}. */
    public CertSpec cert(String subjectDn, Ca issuer) {
        return new CertSpec(this, subjectDn, issuer);
    }

    // ---- one-liners -------------------------------------------------------------------

    public Issued device(String id) { return leaf(id).issueLeaf(); }

    public Issued expiredDevice(String id) {
        return leaf(id).validity(now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1))).issueLeaf();
    }

    public Issued notYetValidDevice(String id) {
        return leaf(id).validity(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))).issueLeaf();
    }

    /** A device whose serial is on {@link #crl()}. */
    public Issued revokedDevice(String id) {
        Issued d = device(id);
        synchronized (revoked) {
            revoked.add(d.cert().getSerialNumber());
        }
        return d;
    }

    /** A device issued by an "intermediate" whose basicConstraints say it is not a CA. */
    public Issued deviceUnderNonCa(String id) {
        Ca fake = extraCas.computeIfAbsent("nonca", k -> cert("CN=Not A CA", issuing).notCa().issue());
        return new CertSpec(this, "CN=" + id, fake).device(id).issueLeafVia(fake);
    }

    /** root -> issuing CA -> sub CA (pathLen 0) -> sub-sub CA -> device: pathLen exceeded. */
    public Issued devicePastPathLen(String id) {
        Ca sub = extraCas.computeIfAbsent("pathlen0", k -> cert("CN=PathLen0 CA", issuing).ca(0).issue());
        Ca subSub = extraCas.computeIfAbsent("pathlen-child", k -> cert("CN=Below PathLen0 CA", sub).ca(-1).issue());
        return new CertSpec(this, "CN=" + id, subSub).device(id).issueLeafVia(subSub, sub);
    }

    /** A device under a CA constrained to URIs in host {@code devices.example}, itself outside it. */
    public Issued deviceViolatingNameConstraints(String id) {
        Ca constrained = extraCas.computeIfAbsent("nc", k -> cert("CN=Constrained CA", issuing).ca(-1)
                .permittedUriHost("devices.example").issue());
        return new CertSpec(this, "CN=" + id, constrained).device(id).issueLeafVia(constrained);
    }

    /** The same constrained CA, with a device inside its namespace ({@code https://devices.example/<id>}). */
    public Issued deviceWithinNameConstraints(String id) {
        Ca constrained = extraCas.computeIfAbsent("nc", k -> cert("CN=Constrained CA", issuing).ca(-1)
                .permittedUriHost("devices.example").issue());
        return new CertSpec(this, "CN=" + id, constrained).uri("https://devices.example/" + id).issueLeafVia(constrained);
    }

    /** A device with EKU serverAuth only (no clientAuth). */
    public Issued deviceWithWrongEku(String id) {
        return leaf(id).eku("1.3.6.1.5.5.7.3.1").issueLeaf();
    }

    /** A device with an RSA 1024 key. */
    public Issued weakKeyDevice(String id) {
        return leaf(id).rsaKey(1024).issueLeaf();
    }

    /** A device with a critical extension nobody knows (OID 1.3.6.1.4.1.55738.666.1). */
    public Issued deviceWithUnknownCriticalExtension(String id) {
        return leaf(id).criticalExtension("1.3.6.1.4.1.55738.666.1").issueLeaf();
    }

    /** A device under {@code intermediates} CAs chained below the issuing CA (chain depth = intermediates + 1). */
    public Issued deviceWithDeepChain(String id, int intermediates) {
        List<X509Certificate> chain = new ArrayList<>();
        Ca parent = issuing;
        List<Ca> cas = new ArrayList<>();
        for (int i = 0; i < intermediates; i++) {
            parent = cert("CN=Deep CA " + i + " for " + id, parent).ca(-1).issue();
            cas.add(0, parent);
        }
        Issued leaf = new CertSpec(this, "CN=" + id, parent).device(id).issueLeafVia(cas.toArray(new Ca[0]));
        chain.addAll(leaf.chain());
        return leaf;
    }

    // ---- CRLs -------------------------------------------------------------------------

    /** The issuing CA's current CRL: revokes every {@link #revokedDevice}, valid for a day. */
    public X509CRL crl() {
        return crl(issuing, now.minus(Duration.ofMinutes(5)), now.plus(Duration.ofDays(1)), revokedSerials());
    }

    /** The issuing CA's CRL with nextUpdate a day in the past. */
    public X509CRL staleCrl() {
        return crl(issuing, now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)), revokedSerials());
    }

    public List<BigInteger> revokedSerials() {
        synchronized (revoked) {
            return List.copyOf(revoked);
        }
    }

    /** A CRL by {@code issuer} (with CRL number and AKI) revoking {@code serials} (reason keyCompromise). */
    public synchronized X509CRL crl(Ca issuer, Instant thisUpdate, Instant nextUpdate, List<BigInteger> serials) {
        try {
            X509v2CRLBuilder b = new X509v2CRLBuilder(issuer.name(), Date.from(thisUpdate));
            if (nextUpdate != null) {
                b.setNextUpdate(Date.from(nextUpdate));
            }
            Date at = Date.from(thisUpdate);
            for (BigInteger s : serials) {
                b.addCRLEntry(s, at, CRLReason.keyCompromise);
            }
            b.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.valueOf(crlNumber++)));
            b.addExtension(Extension.authorityKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(issuer.cert));
            var holder = b.build(new JcaContentSignerBuilder(sigAlg(issuer.key)).build(issuer.key.getPrivate()));
            return new JcaX509CRLConverter().getCRL(holder);
        } catch (Exception e) {
            throw new IllegalStateException("cannot make CRL", e);
        }
    }

    // ---- shared helpers ---------------------------------------------------------------

    static KeyPair ecKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair rsaKey(int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(bits, RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sigAlg(KeyPair key) {
        return key.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    }

    static BigInteger serial() {
        return new BigInteger(159, RANDOM).setBit(150);
    }
}
