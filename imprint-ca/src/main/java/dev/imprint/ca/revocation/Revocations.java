package dev.imprint.ca.revocation;

import dev.imprint.ca.CaException;
import dev.imprint.ca.CaException.Reason;
import dev.imprint.ca.hierarchy.IssuingCa;
import dev.imprint.ca.issuance.Json;
import dev.imprint.ca.issuance.Serials;
import dev.imprint.cluster.Leadership;
import dev.imprint.store.AuditLog;
import dev.imprint.store.CertificateRecord;
import dev.imprint.store.CertificateStore;
import dev.imprint.store.RevokedEntry;
import dev.imprint.store.Store;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revocation over the store: revokes, audits, and keeps every issuing CA's CRLs fresh.
 *
 * <p>Every CA node revokes and serves the CRLs stored by the node that leads each CA's
 * publication ({@link CrlPublisher}). On the leader a revocation returns once it is durable and
 * the CA's delta CRL has been republished (so a fetch right after sees it); a full CRL rebuild
 * is then requested on a background thread (coalesced: at most one running and one pending per
 * CA). A tick every {@link #TICK} publishes what is due (full CRLs at half nextUpdate, deltas
 * missing revocations made on other nodes, a takeover). OCSP answers from the store directly,
 * so on any node. Every {@link #PRUNE_TICK} the node that publishes a CA's CRLs also deletes its
 * device certificates expired past the retention ({@link ExpiredCertificates}): one node per
 * CA, and the one whose CRL must then drop the pruned entries.
 */
public final class Revocations implements RevocationService, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Revocations.class);
    /** How often each node checks leadership and what is due: a new leader publishes within this. */
    static final Duration TICK = Duration.ofMillis(Long.getLong("imprint.ca.crlTickMillis", 2000));
    /** How often expired certificates are pruned at most: every minute, as telemetry retention runs. */
    static final Duration PRUNE_TICK = Duration.ofMinutes(1);

    private final Store store;
    private final Map<String, CrlPublisher> publishers = new LinkedHashMap<>();
    private final OcspResponder ocsp;
    private final ExpiredCertificates expired;
    private final ScheduledExecutorService background;
    /** Delta publications asked for by {@link #revocationsChanged()}; one pending run at most. */
    private final java.util.concurrent.ExecutorService deltas;
    private final java.util.concurrent.atomic.AtomicReference<CompletableFuture<Void>> deltaPending =
            new java.util.concurrent.atomic.AtomicReference<>();
    private final Map<String, Boolean> fullPending = new ConcurrentHashMap<>();
    private final List<RevocationListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Publishes what is due for every CA this node leads before returning.
     *
     * @param leadership which node publishes each CA's CRLs ({@link dev.imprint.cluster.Leadership#single()} in one process)
     * @param retention how long after its notAfter a device certificate's row is deleted
     * @param meters counts pruned rows; may be null
     */
    public Revocations(Store store, List<IssuingCa> cas, Duration nextUpdate, Leadership leadership, Duration retention,
            io.micrometer.core.instrument.MeterRegistry meters) {
        this.store = store;
        this.expired = new ExpiredCertificates(store, retention, meters);
        for (IssuingCa ca : cas) {
            publishers.put(ca.name(), new CrlPublisher(ca, store, nextUpdate, leadership));
        }
        this.ocsp = new OcspResponder(cas, store.certificates());
        publishers.values().forEach(CrlPublisher::tick); // at start: the full CRL is fresh or just built
        this.background = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "imprint-ca-crl");
            t.setDaemon(true);
            return t;
        });
        this.deltas = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "imprint-ca-crl-delta");
            t.setDaemon(true);
            return t;
        });
        background.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
        background.scheduleWithFixedDelay(() -> {
            try {
                pruneExpired(Instant.now());
            } catch (RuntimeException e) {
                LOG.warn("event=ca.prune.failed pruning expired certificates failed; the next run tries again", e);
            }
        }, pruneEvery(retention).toMillis(), pruneEvery(retention).toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Every minute, or at half a shorter retention (tests and soak runs), so rows never stay much past it. */
    static Duration pruneEvery(Duration retention) {
        Duration half = retention.dividedBy(2);
        return half.compareTo(PRUNE_TICK) > 0 ? PRUNE_TICK : half.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : half;
    }

    /**
     * Deletes, for each CA whose CRLs this node publishes, the device certificates expired
     * before {@code now} minus the retention; when revoked ones went, the CA's next full CRL is
     * built without them. Runs every {@link #pruneEvery}; {@code now} is a parameter for tests.
     *
     * @return the rows deleted
     */
    public long pruneExpired(Instant now) {
        long rows = 0;
        for (var entry : publishers.entrySet()) {
            if (!entry.getValue().leadsNow()) {
                continue;
            }
            CertificateStore.Pruned p = expired.prune(entry.getKey(), now);
            if (p.rows() > 0) {
                LOG.info("event=ca.pruned ca={} rows={} revoked={} expired device certificates past retention deleted",
                        entry.getKey(), p.rows(), p.revoked());
            }
            if (p.revoked() > 0) {
                entry.getValue().forgetEntries();
                rebuildFullNow(entry.getKey());
            }
            rows += p.rows();
        }
        return rows;
    }

    /** A delta with new revocations (made on any node) is followed by a full CRL, as on the revoking path. */
    private void tick() {
        for (var entry : publishers.entrySet()) {
            try {
                if (entry.getValue().tick()) {
                    requestFull(entry.getKey());
                }
            } catch (RuntimeException e) {
                LOG.error("CRL publication failed; the previous CRLs stay published", e);
            }
        }
    }

    /**
     * Revocations may have been made on another CA node (the cluster's revocation doorbell):
     * for each CA this node leads, publishes a delta with them and then a full CRL. Returns at
     * once (safe on a bus thread); the work runs on a thread of its own, never behind a long
     * full CRL build, and calls that arrive while one is pending share it.
     */
    @Override
    public CompletableFuture<Void> revocationsChanged() {
        CompletableFuture<Void> run = new CompletableFuture<>();
        CompletableFuture<Void> pending = deltaPending.compareAndExchange(null, run);
        if (pending != null) {
            return pending;
        }
        try {
            deltas.execute(() -> {
                deltaPending.set(null); // from here on, a new call queues a new run: it may have news this one misses
                try {
                    publishers.forEach((ca, p) -> {
                        if (p.revocationsChanged()) {
                            requestFull(ca);
                        }
                    });
                    run.complete(null);
                } catch (RuntimeException e) {
                    LOG.error("delta CRL publication failed; the tick will try again", e);
                    run.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            deltaPending.set(null);
            run.completeExceptionally(e); // closing
        }
        return run;
    }

    @Override
    public byte[] crl(String ca) {
        return publisher(ca).full();
    }

    @Override
    public byte[] deltaCrl(String ca) {
        return publisher(ca).delta();
    }

    @Override
    public byte[] ocsp(byte[] derRequest) {
        return ocsp.respond(derRequest);
    }

    @Override
    public Optional<RevokedEntry> revoke(String serialHex, int reason, String actor) {
        String serial;
        try {
            serial = Serials.normalize(serialHex);
        } catch (IllegalArgumentException e) {
            throw new CaException(Reason.BAD_REQUEST, e.getMessage());
        }
        checkReason(reason);
        Optional<CertificateRecord> rec = store.certificates().findBySerial(serial);
        if (rec.isEmpty()) {
            return Optional.empty();
        }
        Optional<RevokedEntry> entry = revokeRecord(rec.get(), reason, actor);
        published(rec.get().ca());
        return entry;
    }

    @Override
    public List<RevokedEntry> revokeDevice(String deviceId, int reason, String actor) {
        checkReason(reason);
        List<RevokedEntry> out = new ArrayList<>();
        java.util.Set<String> cas = new java.util.HashSet<>();
        for (CertificateRecord r : store.certificates().findByDevice(deviceId)) {
            if (!r.revoked()) {
                revokeRecord(r, reason, actor).ifPresent(out::add);
                cas.add(r.ca());
            }
        }
        cas.forEach(this::published);
        return out;
    }

    /**
     * Revokes one recorded certificate and audits it in the same transaction (the entry only
     * when this call revoked it); the CRLs are the caller's to refresh.
     */
    public Optional<RevokedEntry> revokeRecord(CertificateRecord r, int reason, String actor) {
        AuditLog.Entry audit = new AuditLog.Entry("cert.revoked", actor, r.serialHex(), "{\"ca\":\"" + r.ca() + "\",\"id\":"
                + Json.quote(r.deviceId()) + ",\"kind\":\"" + r.kind() + "\",\"reason\":" + reason + "}");
        Optional<CertificateStore.Revocation> done = store.certificates().revoke(r.serialHex(), reason, Instant.now(), audit);
        if (done.isPresent() && done.get().fresh()) {
            notifyListeners(r.ca(), r.serialHex());
        }
        return done.map(CertificateStore.Revocation::entry);
    }

    @Override
    public void addListener(RevocationListener listener) {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    private void notifyListeners(String ca, String serial) {
        for (RevocationListener l : listeners) {
            try {
                l.revoked(ca, serial);
            } catch (RuntimeException e) {
                LOG.warn("revocation listener failed for {}", serial, e);
            }
        }
    }

    /** When this node leads the CA's publication: republishes its delta CRL now and its full CRL in the background. */
    public void published(String ca) {
        CrlPublisher p = publishers.get(ca);
        if (p == null) {
            return;
        }
        if (p.revocationsChanged()) {
            requestFull(ca);
        }
    }

    private void requestFull(String ca) {
        if (fullPending.putIfAbsent(ca, Boolean.TRUE) == null) {
            background.execute(() -> {
                fullPending.remove(ca);
                rebuildFullNow(ca);
            });
        }
    }

    private void rebuildFullNow(String ca) {
        try {
            if (publishers.get(ca).rebuildFull()) {
                requestFull(ca);
            }
        } catch (RuntimeException e) {
            LOG.error("full CRL rebuild of {} failed; the previous one stays published", ca, e);
        }
    }

    private CrlPublisher publisher(String ca) {
        CrlPublisher p = ca == null ? null : publishers.get(ca);
        if (p == null) {
            throw new CaException(Reason.UNKNOWN_CA, "no issuing CA named " + ca);
        }
        return p;
    }

    private static void checkReason(int reason) {
        if (reason < 0 || reason > 10 || reason == 7) {
            throw new CaException(Reason.BAD_REQUEST, "not an RFC 5280 CRLReason code: " + reason);
        }
    }

    @Override
    public void close() {
        deltas.shutdownNow();
        background.shutdownNow();
        try {
            deltas.awaitTermination(10, TimeUnit.SECONDS);
            background.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
