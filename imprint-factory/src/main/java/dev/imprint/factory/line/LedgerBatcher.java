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
 * one database transaction per batch, not per device.
 */
public final class LedgerBatcher implements AutoCloseable {
    private static final int MAX = 1000;

    private record Item(CaClient.Confirmation confirmation, CompletableFuture<Void> done) {}

    private final CaClient ca;
    private final String batch;
    private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final Thread sender;
    private volatile boolean closed;

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
            queue.add(new Item(c, f));
        }
        return f;
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
                ca.confirm(batch, items.stream().map(Item::confirmation).toList());
                items.forEach(i -> i.done.complete(null));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                items.forEach(i -> i.done.completeExceptionally(e));
            } finally {
                items.clear();
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
