package dev.imprint.factory.line;

import dev.imprint.factory.FactoryException;
import dev.imprint.factory.est.CaClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Sends ledger confirmations to the CA in batches: one request carries whatever queued up
 * while the previous one was in flight (at most 1,000), so the ledger costs one round trip and
 * one database transaction per batch, not per device. Devices do not wait for it: the journal
 * holds their proof, and what the CA has not acknowledged is sent again on the next run. The
 * first refusal is kept ({@link #failure()}) so that the line can stop on it.
 */
public final class LedgerBatcher implements AutoCloseable {
    private static final int MAX = 1000;
    private static final int ATTEMPTS = 3;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LedgerBatcher.class);

    private record Item(CaClient.Confirmation confirmation, CompletableFuture<Void> done) {}

    private final CaClient ca;
    private final String batch;
    private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final Thread sender;
    private volatile boolean closed;
    private volatile FactoryException failure;
    private final java.util.concurrent.atomic.AtomicInteger outstanding = new java.util.concurrent.atomic.AtomicInteger();

    public LedgerBatcher(CaClient ca, String batch) {
        this.ca = ca;
        this.batch = batch;
        this.sender = new Thread(this::loop, "imprint-ledger");
        sender.setDaemon(true);
        sender.start();
    }

    /** Completes when the CA has recorded it; exceptionally with the CA's {@link FactoryException}. */
    public CompletableFuture<Void> confirm(CaClient.Confirmation c) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new FactoryException("STOPPED", "the ledger sender is closed"));
        } else {
            outstanding.incrementAndGet();
            queue.add(new Item(c, f));
        }
        return f;
    }

    /** The first error the CA answered to a ledger request, or null. */
    public FactoryException failure() {
        return failure;
    }

    /** Waits until everything queued so far has been answered (or {@code timeout} passed). */
    public void drain(java.time.Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (outstanding.get() > 0 && System.nanoTime() < end) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void loop() {
        List<Item> items = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            try {
                Item first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                items.add(first);
                queue.drainTo(items, MAX - 1);
                send(items.stream().map(Item::confirmation).toList());
                items.forEach(i -> i.done.complete(null));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e instanceof FactoryException fe ? fe : new FactoryException("INTERNAL_ERROR", String.valueOf(e), e);
                }
                items.forEach(i -> i.done.completeExceptionally(e));
            } finally {
                outstanding.addAndGet(-items.size());
                items.clear();
            }
        }
    }

    /** The ledger is idempotent by serial, so a request whose answer was lost is simply sent again (bounded). */
    private void send(List<CaClient.Confirmation> list) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                ca.confirm(batch, list);
                return;
            } catch (FactoryException e) {
                if (!e.code().equals("CA_UNREACHABLE") || attempt >= ATTEMPTS) {
                    throw e;
                }
                LOG.warn("event=ledger.retry batch={} entries={} attempt={} msg=\"{}\"", batch, list.size(), attempt, e.getMessage());
                Thread.sleep(200L * attempt);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            sender.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
