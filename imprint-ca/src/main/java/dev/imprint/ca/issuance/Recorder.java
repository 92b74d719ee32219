package dev.imprint.ca.issuance;

import dev.imprint.ca.CaException;
import dev.imprint.ca.CaException.Reason;
import dev.imprint.store.AuditLog;
import dev.imprint.store.CertificateRecord;
import dev.imprint.store.CertificateStore;
import dev.imprint.store.DuplicateSerialException;
import dev.imprint.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit of issued certificates. One writer thread drains the queue and records each
 * batch together with one audit event listing its serials, in one transaction (durable on
 * return; after a crash both are there or neither), and only then completes the callers'
 * futures: a certificate is recorded and audited before anyone can hand it out. While a batch commits the next one
 * fills, so batch size grows with load and there is one durable write per batch, never per
 * certificate.
 *
 * <p>A certificate recorded as its device's only live one is checked again inside that
 * transaction, ordered with every CA node's recording of the same device: when another node
 * recorded one first, it is left out of the batch and of its audit entry, and its caller gets
 * DEVICE_HAS_LIVE_CERTIFICATE; the signed certificate is never handed out.
 */
public final class Recorder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Recorder.class);
    private static final int MAX_BATCH = 4096;

    private record Pending(CertificateRecord record, boolean soleLive, CompletableFuture<Void> done) {}

    private final Store store;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closing;

    private final MeterRegistry meters;

    /** @param meters records batch sizes and commit times ("imprint.ca.record.*"); may be null */
    public Recorder(Store store, MeterRegistry meters) {
        this.store = store;
        this.meters = meters;
        this.writer = new Thread(this::run, "imprint-ca-recorder");
        writer.setDaemon(true);
        writer.start();
    }

    /** Completes once the record is durable; exceptionally with a {@link CaException} if it could not be written. */
    public CompletableFuture<Void> record(CertificateRecord record) {
        return record(record, false);
    }

    /**
     * As {@link #record(CertificateRecord)}; with {@code soleLive}, only when the device has no
     * live certificate of the record's kind at commit (else exceptionally with
     * DEVICE_HAS_LIVE_CERTIFICATE, nothing written).
     */
    public CompletableFuture<Void> record(CertificateRecord record, boolean soleLive) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (closing) {
            f.completeExceptionally(new CaException(Reason.UNAVAILABLE, "the CA is shutting down"));
            return f;
        }
        queue.add(new Pending(record, soleLive, f));
        return f;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        while (true) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing && queue.isEmpty()) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                // fail this batch's callers instead of leaving them waiting on a dead writer thread
                LOG.error("recorder failed", e);
                batch.forEach(p -> p.done.completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Pending> batch) {
        long t0 = System.nanoTime();
        List<Pending> ok;
        try {
            ok = insert(batch);
        } catch (DuplicateSerialException e) {
            // Astronomically rare with 159 random bits: record one by one, each with its own audit
            // entry, and fail only the duplicates.
            ok = new ArrayList<>();
            for (Pending p : batch) {
                try {
                    ok.addAll(insert(List.of(p)));
                } catch (DuplicateSerialException dup) {
                    p.done.completeExceptionally(new CaException(Reason.INTERNAL_ERROR, "serial collision; retry", dup));
                } catch (RuntimeException failed) {
                    p.done.completeExceptionally(unavailable(failed));
                }
            }
        } catch (RuntimeException e) {
            CaException ce = unavailable(e);
            batch.forEach(p -> p.done.completeExceptionally(ce));
            return;
        }
        if (meters != null) {
            meters.summary("imprint.ca.record.batch").record(ok.size());
            meters.timer("imprint.ca.record.insert").record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        }
        ok.forEach(p -> p.done.complete(null));
    }

    /**
     * Records the batch in one transaction; fails the callers whose device turned out to have a
     * live certificate already (recorded by another CA node meanwhile) and returns the others.
     */
    private List<Pending> insert(List<Pending> batch) {
        Set<String> soleLive = new HashSet<>();
        batch.forEach(p -> {
            if (p.soleLive) {
                soleLive.add(p.record.serialHex());
            }
        });
        CertificateStore.Recorded recorded = store.certificates().insertAll(records(batch), soleLive, Recorder::auditEntry);
        if (recorded.refused().isEmpty()) {
            return batch;
        }
        Set<String> refused = new HashSet<>();
        for (CertificateRecord r : recorded.refused()) {
            refused.add(r.serialHex());
            LOG.info("event=ca.record.refused reason={} device={} serial={} by={}", Reason.DEVICE_HAS_LIVE_CERTIFICATE,
                    r.deviceId(), r.serialHex(), r.requestedBy());
        }
        List<Pending> ok = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            if (refused.contains(p.record.serialHex())) {
                p.done.completeExceptionally(new CaException(Reason.DEVICE_HAS_LIVE_CERTIFICATE, "device "
                        + p.record.deviceId() + " was given a live certificate by another CA node meanwhile"));
            } else {
                ok.add(p);
            }
        }
        return ok;
    }

    private static CaException unavailable(RuntimeException e) {
        return new CaException(Reason.UNAVAILABLE, "cannot record certificates: " + e.getMessage(), e);
    }

    private static List<CertificateRecord> records(List<Pending> batch) {
        List<CertificateRecord> records = new ArrayList<>(batch.size());
        batch.forEach(p -> records.add(p.record));
        return records;
    }

    /** The one audit entry of the certificates written, listing their serials; in the same transaction as they. */
    private static AuditLog.Entry auditEntry(List<CertificateRecord> batch) {
        StringBuilder d = new StringBuilder(64 + batch.size() * 96).append("{\"count\":").append(batch.size()).append(",\"certificates\":[");
        for (int i = 0; i < batch.size(); i++) {
            CertificateRecord r = batch.get(i);
            if (i > 0) {
                d.append(',');
            }
            d.append("{\"serial\":\"").append(r.serialHex()).append("\",\"ca\":\"").append(r.ca())
                    .append("\",\"id\":").append(Json.quote(r.deviceId()))
                    .append(",\"kind\":\"").append(r.kind())
                    .append("\",\"by\":").append(Json.quote(r.requestedBy())).append('}');
        }
        d.append("]}");
        String subject = batch.size() == 1 ? batch.get(0).serialHex() : batch.size() + " certificates";
        return new AuditLog.Entry("cert.issued", "ca", subject, d.toString());
    }

    /** Records what is queued, then stops the writer. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
