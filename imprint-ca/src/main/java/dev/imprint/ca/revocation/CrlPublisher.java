package dev.imprint.ca.revocation;

import dev.imprint.ca.CaException;
import dev.imprint.ca.CaException.Reason;
import dev.imprint.ca.hierarchy.IssuingCa;
import dev.imprint.cluster.Leadership;
import dev.imprint.store.CrlStateStore.Heads;
import dev.imprint.store.CrlStateStore.Kind;
import dev.imprint.store.CrlStateStore.Published;
import dev.imprint.store.Store;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CRLs of one issuing CA: a full CRL and a delta CRL against it, both DER, published into
 * the store and served from it.
 *
 * <p>Several CA nodes: every node serves the stored bytes (so all nodes hand out the same CRL,
 * byte for byte), and only the node that leads {@code "crl:" + ca} builds and publishes. The
 * leader publishes a delta on each revocation (its own, at once; other nodes', on
 * {@link #revocationsChanged()} or at its next {@link #tick()}), a full CRL at half nextUpdate,
 * and on taking the lead it catches up within that tick. Full and delta CRLs share one number
 * sequence from the store ({@link dev.imprint.store.CrlStateStore#nextCrlNumber}); the store
 * keeps a CRL only when it is newer than the current one, so numbers served never go back,
 * across crashes and across leaders, even while two nodes briefly both think they lead.
 *
 * <p>A full CRL records the highest revocation seq it covers; the delta lists every revocation
 * after that seq and carries the Delta CRL Indicator (critical) naming the base's number.
 */
public final class CrlPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(CrlPublisher.class);

    /** More revocations than this after the current full CRL: build a new full CRL rather than a huge delta. */
    private static final long MAX_DELTA = 10_000;

    /** A served CRL: its number and bytes, kept while the store says it is still current. */
    private record Served(long number, byte[] der) {}

    private final IssuingCa ca;
    private final Store store;
    private final Duration nextUpdate;
    private final Leadership leadership;
    private final String key;
    private final Extension aki;
    private final CrlEncoder encoder;
    private final Object fullLock = new Object();
    private final Object deltaLock = new Object();
    private final AtomicBoolean leading = new AtomicBoolean();
    private final AtomicBoolean takeover = new AtomicBoolean();
    /** Every entry of this CA read so far (guarded by fullLock); it only grows, until {@link #forgetEntries} after a prune. */
    private final List<ASN1Encodable> entries = new ArrayList<>();
    private long entriesSeq;
    private volatile Served full;
    private volatile Served delta;

    CrlPublisher(IssuingCa ca, Store store, Duration nextUpdate, Leadership leadership) {
        this.ca = ca;
        this.store = store;
        this.nextUpdate = nextUpdate;
        this.leadership = leadership;
        this.key = "crl:" + ca.name();
        this.encoder = new CrlEncoder(ca);
        try {
            this.aki = new Extension(Extension.authorityKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca.certificate().getPublicKey()).getEncoded());
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Publishes what is due when this node leads: a full CRL when none is stored, it is past
     * half its nextUpdate or too far behind; a delta when revocations are missing from it or it
     * is past half its nextUpdate. Run at start and on a schedule (the backstop for revocations
     * made on other nodes, and the takeover after a leader died).
     *
     * @return true when it published a delta with revocations the previous one lacked (a full CRL should follow)
     */
    boolean tick() {
        if (!leads()) {
            return false;
        }
        ensureFull(false);
        return ensureDelta(false);
    }

    /**
     * Revocations may have been made on another CA node: the leader publishes a delta with them
     * now (a non-leader does nothing). The server calls it on the cluster's revocation doorbell;
     * without the doorbell, the next {@link #tick()} does the same.
     *
     * @return true when it published a delta with revocations the previous one lacked (a full CRL should follow)
     */
    public boolean revocationsChanged() {
        return leads() && ensureDelta(false);
    }

    /**
     * Builds and publishes a new full CRL now, then a delta to it, when this node leads.
     *
     * @return true when that delta lists revocations the new full CRL lacks (committed while it
     *     was built, their own request for a full CRL possibly spent): another full CRL should follow
     */
    boolean rebuildFull() {
        if (!leads()) {
            return false;
        }
        ensureFull(true);
        ensureDelta(false);
        // a delta's revocationSeq is its base's unless it lists entries (pruned rows never count)
        Heads h = store.crls().heads(ca.name());
        return h.full() != null && h.delta() != null && h.delta().baseNumber() == h.full().crlNumber()
                && h.delta().revocationSeq() > h.full().revocationSeq();
    }

    /** Whether this node publishes this CA's CRLs now, and so also prunes its expired certificates. */
    boolean leadsNow() {
        return leads();
    }

    /**
     * Revoked rows were pruned: the entries read so far are dropped and the next full CRL reads
     * them again from the store, without the pruned ones (all expired, RFC 5280 3.3).
     */
    void forgetEntries() {
        synchronized (fullLock) {
            entries.clear();
            entriesSeq = 0;
        }
    }

    /** The current full CRL (DER) as stored. @throws CaException UNAVAILABLE before the first publication */
    byte[] full() {
        Served s = served(Kind.FULL, full);
        full = s;
        return s.der();
    }

    /** The current delta CRL (DER) as stored. @throws CaException UNAVAILABLE before the first publication */
    byte[] delta() {
        Served s = served(Kind.DELTA, delta);
        delta = s;
        return s.der();
    }

    /** One small row read per request tells whether the cached bytes are still current; the bytes are read only when not. */
    private Served served(Kind kind, Served cached) {
        Heads heads = store.crls().heads(ca.name());
        Published p = kind == Kind.FULL ? heads.full() : heads.delta();
        if (p == null) {
            throw new CaException(Reason.UNAVAILABLE, "no " + kind.name().toLowerCase(java.util.Locale.ROOT) + " CRL of "
                    + ca.name() + " published yet");
        }
        if (cached != null && cached.number() == p.crlNumber()) {
            return cached;
        }
        var stored = store.crls().current(ca.name(), kind)
                .orElseThrow(() -> new CaException(Reason.UNAVAILABLE, "the CRL of " + ca.name() + " changed while read; retry"));
        return new Served(stored.meta().crlNumber(), stored.der());
    }

    /**
     * Asks the leadership, logging each change. On taking the lead the new leader publishes a
     * delta at once (and a full CRL if the stored one is due), so a takeover is visible within
     * the tick that noticed it.
     */
    private boolean leads() {
        boolean now;
        try {
            now = leadership.lead(key);
        } catch (RuntimeException e) {
            LOG.warn("cannot tell whether this node leads {}; not publishing", key, e);
            now = false;
        }
        if (now && !leading.getAndSet(true)) {
            LOG.info("event=crl.lead ca={} this node publishes the CRLs", ca.name());
            ensureFull(false);
            takeover.set(true); // the next delta is published even when nothing is missing from the stored one
        } else if (!now && leading.getAndSet(false)) {
            LOG.info("event=crl.follow ca={} another node publishes the CRLs", ca.name());
        }
        return now;
    }

    private void ensureFull(boolean force) {
        synchronized (fullLock) {
            Published f = store.crls().heads(ca.name()).full();
            Instant now = Instant.now();
            boolean due = force || f == null || due(f, now)
                    || store.certificates().lastRevocationSeq(ca.name()) - f.revocationSeq() > MAX_DELTA;
            if (!due) {
                return;
            }
            long started = System.nanoTime();
            Instant thisUpdate = now.truncatedTo(ChronoUnit.SECONDS);
            store.certificates().forEachRevoked(ca.name(), entriesSeq, e -> {
                entries.add(CrlEncoder.entry(e.serialHex(), e.revokedAt(), e.reason()));
                entriesSeq = e.seq();
            });
            long number = store.crls().nextCrlNumber(ca.name());
            byte[] der = encoder.sign(entries, thisUpdate, thisUpdate.plus(nextUpdate), aki, crlNumber(number));
            if (!stillLeads()) {
                return;
            }
            boolean current = store.crls().publish(new Published(ca.name(), Kind.FULL, number, 0, entriesSeq, thisUpdate), der);
            if (current) {
                full = new Served(number, der);
            }
            LOG.debug("full CRL {} of {}: {} entries, {} bytes in {} ms{}", number, ca.name(), entries.size(), der.length,
                    (System.nanoTime() - started) / 1_000_000, current ? "" : " (a newer one was there; dropped)");
        }
    }

    /** @return true when it published a delta with revocations the previous one lacked */
    private boolean ensureDelta(boolean force) {
        synchronized (deltaLock) {
            force |= takeover.getAndSet(false);
            Heads heads = store.crls().heads(ca.name());
            Published base = heads.full();
            if (base == null) {
                return false; // no full CRL yet: the tick builds one first
            }
            Published d = heads.delta();
            Instant now = Instant.now();
            boolean due = force || d == null || d.baseNumber() != base.crlNumber() || due(d, now)
                    || d.revocationSeq() < store.certificates().lastRevocationSeq(ca.name());
            if (!due) {
                return false;
            }
            Instant thisUpdate = now.truncatedTo(ChronoUnit.SECONDS);
            List<ASN1Encodable> recent = new ArrayList<>();
            long[] seq = {base.revocationSeq()};
            store.certificates().forEachRevoked(ca.name(), base.revocationSeq(), e -> {
                recent.add(CrlEncoder.entry(e.serialHex(), e.revokedAt(), e.reason()));
                seq[0] = Math.max(seq[0], e.seq());
            });
            long number = store.crls().nextCrlNumber(ca.name());
            byte[] der = encoder.sign(recent, thisUpdate, thisUpdate.plus(nextUpdate), aki, crlNumber(number),
                    new Extension(Extension.deltaCRLIndicator, true, octets(new CRLNumber(BigInteger.valueOf(base.crlNumber())))));
            if (!stillLeads()) {
                return false;
            }
            boolean current = store.crls().publish(
                    new Published(ca.name(), Kind.DELTA, number, base.crlNumber(), seq[0], thisUpdate), der);
            if (current) {
                delta = new Served(number, der);
            }
            return current && (d == null || seq[0] > d.revocationSeq());
        }
    }

    /**
     * Fencing: asks again right before writing, since building a large CRL takes a while and the
     * lead may have moved meanwhile (a leader cut off from the database answers false). The
     * store's keep-the-higher-number rule covers the remaining window.
     */
    private boolean stillLeads() {
        try {
            if (leadership.lead(key)) {
                return true;
            }
        } catch (RuntimeException e) {
            LOG.warn("cannot tell whether this node still leads {}; not publishing", key, e);
        }
        LOG.info("event=crl.dropped ca={} the lead moved while building; not published", ca.name());
        return false;
    }

    /** Past half its validity: time for a new one, so relying parties never hold an expired CRL. */
    private boolean due(Published p, Instant now) {
        return !p.thisUpdate().plus(nextUpdate.dividedBy(2)).isAfter(now);
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
