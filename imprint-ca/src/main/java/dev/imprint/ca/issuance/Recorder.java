package dev.imprint.ca.issuance;

import dev.imprint.ca.CaException;
import dev.imprint.ca.CaException.Reason;
import dev.imprint.store.CertificateRecord;
import dev.imprint.store.DuplicateSerialException;
import dev.imprint.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit of issued certificates. One writer thread drains the queue and records each
 * batch with {@code insertAll} (one transaction, durable on return), then appends one audit
 * event per batch listing its serials, and only then completes the callers' futures: a
 * certificate is recorded before anyone can hand it out. While a batch commits the next one
 * fills, so batch size grows with load and there is one durable write per batch, never per
 * certificate.
 */
public final class Recorder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Recorder.class);
    private static final int MAX_BATCH = 4096;

    private record Pending(CertificateRecord record, CompletableFuture<Void> done) {}

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
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (closing) {
            f.completeExceptionally(new CaException(Reason.UNAVAILABLE, "the CA is shutting down"));
            return f;
        }
        queue.add(new Pending(record, f));
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
            } catch (RuntimeException e) {
                LOG.error("recorder failed", e);
                batch.forEach(p -> p.done.completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Pending> batch) {
        List<CertificateRecord> records = new ArrayList<>(batch.size());
        batch.forEach(p -> records.add(p.record));
        long t0 = System.nanoTime();
        try {
            store.certificates().insertAll(records);
        } catch (DuplicateSerialException e) {
            // Astronomically rare with 159 random bits: record one by one, fail only the duplicates.
            List<Pending> ok = new ArrayList<>();
            for (Pending p : batch) {
                try {
                    store.certificates().insertAll(List.of(p.record));
                    ok.add(p);
                } catch (DuplicateSerialException dup) {
                    p.done.completeExceptionally(new CaException(Reason.INTERNAL_ERROR, "serial collision; retry", dup));
                }
            }
            batch = ok;
        } catch (RuntimeException e) {
            CaException ce = new CaException(Reason.UNAVAILABLE, "cannot record certificates: " + e.getMessage(), e);
            batch.forEach(p -> p.done.completeExceptionally(ce));
            return;
        }
        long t1 = System.nanoTime();
        audit(batch);
        if (meters != null) {
            meters.summary("imprint.ca.record.batch").record(batch.size());
            meters.timer("imprint.ca.record.insert").record(t1 - t0, TimeUnit.NANOSECONDS);
            meters.timer("imprint.ca.record.audit").record(System.nanoTime() - t1, TimeUnit.NANOSECONDS);
        }
        batch.forEach(p -> p.done.complete(null));
    }

    private void audit(List<Pending> batch) {
        if (batch.isEmpty()) {
            return;
        }
        StringBuilder d = new StringBuilder(64 + batch.size() * 96).append("{\"count\":").append(batch.size()).append(",\"certificates\":[");
        for (int i = 0; i < batch.size(); i++) {
            CertificateRecord r = batch.get(i).record;
            if (i > 0) {
                d.append(',');
            }
            d.append("{\"serial\":\"").append(r.serialHex()).append("\",\"ca\":\"").append(r.ca())
                    .append("\",\"id\":").append(Json.quote(r.deviceId()))
                    .append(",\"kind\":\"").append(r.kind())
                    .append("\",\"by\":").append(Json.quote(r.requestedBy())).append('}');
        }
        d.append("]}");
        String subject = batch.size() == 1 ? batch.get(0).record.serialHex() : batch.size() + " certificates";
        try {
            store.audit().append("cert.issued", "ca", subject, d.toString());
        } catch (RuntimeException e) {
            // The certificates are recorded; the audit entry is what is missing. Log loudly, keep serving.
            LOG.error("audit append failed for {} issued certificates", batch.size(), e);
        }
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
