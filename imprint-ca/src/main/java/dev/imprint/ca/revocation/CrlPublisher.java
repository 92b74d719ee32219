package dev.imprint.ca.revocation;

import dev.imprint.ca.hierarchy.IssuingCa;
import dev.imprint.store.CrlStateStore.PublishedCrl;
import dev.imprint.store.Store;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CRLs of one issuing CA: a full CRL and a delta CRL against it, both DER and cached.
 *
 * <p>Full and delta CRLs share one CRL number sequence from the store
 * ({@link dev.imprint.store.CrlStateStore#nextCrlNumber}), so numbers never go back, even across
 * crashes. A full CRL is recorded with the highest revocation seq it covers; the delta lists
 * every revocation after that seq and carries the Delta CRL Indicator (critical) naming the
 * base's number. Building a delta reads only the revocations since the base, so it stays fast
 * however many revocations the full CRL holds; full CRLs are rebuilt in the background.
 */
final class CrlPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(CrlPublisher.class);

    private record Base(long number, long revocationSeq, Instant thisUpdate, byte[] der) {}

    private final IssuingCa ca;
    private final Store store;
    private final Duration nextUpdate;
    private final X500Name issuer;
    private final Extension aki;
    private final Object fullLock = new Object();
    private final Object deltaLock = new Object();
    private volatile Base base;
    private volatile byte[] delta;

    CrlPublisher(IssuingCa ca, Store store, Duration nextUpdate) {
        this.ca = ca;
        this.store = store;
        this.nextUpdate = nextUpdate;
        this.issuer = X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
        try {
            this.aki = new Extension(Extension.authorityKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca.certificate().getPublicKey()).getEncoded());
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Adopts the last published full CRL when still fresh, else builds one; then builds a delta. */
    void start() {
        var last = store.crls().lastFull(ca.name());
        if (last.isPresent() && last.get().thisUpdate().plus(nextUpdate.dividedBy(2)).isAfter(Instant.now())) {
            PublishedCrl p = last.get();
            base = new Base(p.crlNumber(), p.revocationSeq(), p.thisUpdate(), p.der());
        } else {
            rebuildFull();
        }
        rebuildDelta();
    }

    byte[] full() {
        return base.der();
    }

    byte[] delta() {
        return delta;
    }

    /** When the current full CRL was made. */
    Instant fullThisUpdate() {
        return base.thisUpdate();
    }

    /** Builds and publishes a full CRL from every revocation of this CA. */
    void rebuildFull() {
        synchronized (fullLock) {
            long started = System.nanoTime();
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            X509v2CRLBuilder b = new X509v2CRLBuilder(issuer, Date.from(now));
            AtomicLong maxSeq = new AtomicLong();
            AtomicLong count = new AtomicLong();
            store.certificates().forEachRevoked(ca.name(), 0, e -> {
                b.addCRLEntry(new BigInteger(e.serialHex(), 16), Date.from(e.revokedAt()), e.reason());
                maxSeq.set(e.seq());
                count.incrementAndGet();
            });
            long number = store.crls().nextCrlNumber(ca.name());
            byte[] der = sign(b, now, number, null);
            store.crls().saveFull(new PublishedCrl(ca.name(), number, maxSeq.get(), now, der));
            base = new Base(number, maxSeq.get(), now, der);
            LOG.debug("full CRL {} of {}: {} entries in {} ms", number, ca.name(), count.get(),
                    (System.nanoTime() - started) / 1_000_000);
        }
        rebuildDelta();
    }

    /** Builds and publishes a delta CRL: the revocations after the current base. */
    void rebuildDelta() {
        synchronized (deltaLock) {
            Base b0 = base;
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            X509v2CRLBuilder b = new X509v2CRLBuilder(issuer, Date.from(now));
            store.certificates().forEachRevoked(ca.name(), b0.revocationSeq(),
                    e -> b.addCRLEntry(new BigInteger(e.serialHex(), 16), Date.from(e.revokedAt()), e.reason()));
            long number = store.crls().nextCrlNumber(ca.name());
            delta = sign(b, now, number, b0.number());
        }
    }

    private byte[] sign(X509v2CRLBuilder b, Instant now, long number, Long baseNumber) {
        try {
            b.setNextUpdate(Date.from(now.plus(nextUpdate)));
            b.addExtension(aki);
            b.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.valueOf(number)));
            if (baseNumber != null) {
                b.addExtension(Extension.deltaCRLIndicator, true, new ASN1Integer(baseNumber));
            }
            ContentSigner signer = new JcaContentSignerBuilder(ca.signatureAlgorithm()).setProvider(ca.provider()).build(ca.key());
            X509CRLHolder crl = b.build(signer);
            return crl.getEncoded();
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot sign CRL of " + ca.name(), e);
        }
    }

}
