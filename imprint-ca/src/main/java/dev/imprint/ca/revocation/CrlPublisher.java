package dev.imprint.ca.revocation;

import dev.imprint.ca.hierarchy.IssuingCa;
import dev.imprint.store.CrlStateStore.PublishedCrl;
import dev.imprint.store.Store;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
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

    /** More revocations than this after the last full CRL: rebuild it at start rather than serve a huge delta. */
    private static final long MAX_DELTA_AT_START = 10_000;

    private record Base(long number, long revocationSeq, Instant thisUpdate, byte[] der) {}

    private final IssuingCa ca;
    private final Store store;
    private final Duration nextUpdate;
    private final Extension aki;
    private final Object fullLock = new Object();
    private final Object deltaLock = new Object();
    /**
     * Full CRLs above this size are kept in a file beside the CA ({@code <pki>/crl/<ca>.crl}) and
     * recorded in the store without their bytes: writing tens of megabytes in a store transaction
     * would hold the single writer, and so every issuance and revocation, for that long.
     */
    private final int maxDerInStore = Integer.getInteger("imprint.ca.crlMaxBytesInStore", 1 << 20);

    private final Path crlFile;
    private final CrlEncoder encoder;
    /** Every entry published so far (guarded by fullLock); revocations are permanent, so it only grows. */
    private final List<ASN1Encodable> entries = new ArrayList<>();
    private long entriesSeq;
    private volatile Base base;
    private volatile byte[] delta;

    CrlPublisher(IssuingCa ca, Store store, Duration nextUpdate, Path crlDir) {
        this.crlFile = crlDir.resolve(ca.name() + ".crl");
        this.ca = ca;
        this.store = store;
        this.nextUpdate = nextUpdate;
        this.encoder = new CrlEncoder(ca);
        try {
            this.aki = new Extension(Extension.authorityKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca.certificate().getPublicKey()).getEncoded());
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Adopts the last published full CRL when still fresh and not far behind the store, else
     * builds one; then builds a delta.
     */
    void start() {
        var last = store.crls().lastFull(ca.name());
        if (last.isPresent() && last.get().thisUpdate().plus(nextUpdate.dividedBy(2)).isAfter(Instant.now())
                && store.certificates().lastRevocationSeq(ca.name()) - last.get().revocationSeq() <= MAX_DELTA_AT_START) {
            PublishedCrl p = last.get();
            byte[] der = p.der().length > 0 ? p.der() : readFile();
            if (der != null) {
                base = new Base(p.crlNumber(), p.revocationSeq(), p.thisUpdate(), der);
            } else {
                rebuildFull();
            }
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

    /** Builds and publishes a full CRL: the entries kept so far plus the revocations since. */
    void rebuildFull() {
        synchronized (fullLock) {
            long started = System.nanoTime();
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            store.certificates().forEachRevoked(ca.name(), entriesSeq, e -> {
                entries.add(CrlEncoder.entry(e.serialHex(), e.revokedAt(), e.reason()));
                entriesSeq = e.seq();
            });
            long number = store.crls().nextCrlNumber(ca.name());
            byte[] der = encoder.sign(entries, now, now.plus(nextUpdate), aki, crlNumber(number));
            boolean inFile = der.length > maxDerInStore;
            if (inFile) {
                writeFile(der);
            }
            store.crls().saveFull(new PublishedCrl(ca.name(), number, entriesSeq, now, inFile ? new byte[0] : der));
            base = new Base(number, entriesSeq, now, der);
            LOG.debug("full CRL {} of {}: {} entries in {} ms", number, ca.name(), entries.size(),
                    (System.nanoTime() - started) / 1_000_000);
        }
        rebuildDelta();
    }

    /** Builds and publishes a delta CRL: the revocations after the current base. */
    void rebuildDelta() {
        synchronized (deltaLock) {
            Base b0 = base;
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            List<ASN1Encodable> recent = new ArrayList<>();
            store.certificates().forEachRevoked(ca.name(), b0.revocationSeq(),
                    e -> recent.add(CrlEncoder.entry(e.serialHex(), e.revokedAt(), e.reason())));
            long number = store.crls().nextCrlNumber(ca.name());
            delta = encoder.sign(recent, now, now.plus(nextUpdate), aki, crlNumber(number),
                    new Extension(Extension.deltaCRLIndicator, true, octets(new CRLNumber(BigInteger.valueOf(b0.number())))));
        }
    }

    private byte[] readFile() {
        try {
            return Files.exists(crlFile) ? Files.readAllBytes(crlFile) : null;
        } catch (IOException e) {
            LOG.warn("cannot read {}; rebuilding the full CRL", crlFile, e);
            return null;
        }
    }

    private void writeFile(byte[] der) {
        try {
            Files.createDirectories(crlFile.getParent());
            Path tmp = crlFile.resolveSibling(crlFile.getFileName() + ".tmp");
            Files.write(tmp, der);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, crlFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + crlFile, e);
        }
    }

    private static Extension crlNumber(long number) {
        return new Extension(Extension.cRLNumber, false, octets(new CRLNumber(BigInteger.valueOf(number))));
    }

    private static DEROctetString octets(ASN1Encodable value) {
        try {
            return new DEROctetString(value.toASN1Primitive().getEncoded(ASN1Encoding.DER));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
