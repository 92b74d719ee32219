package dev.imprint.hub;

import dev.imprint.cluster.NodeBus;
import dev.imprint.store.EnrollmentRecord;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revocations and disabled enrollments written by other processes (the in-process CA calls
 * {@link Hub#certificateRevoked} directly): read when the bus rings {@code revocations} or
 * {@code config}, and by a backstop poll every interval, so a lost doorbell costs at most one
 * interval. Revocations are read from the per-CA revocation log after the last seq seen
 * ({@code forEachRevoked}), only for the CAs whose certificates have had sessions here;
 * enrollment flags from the (small) enrollment list.
 *
 * <p>What it no longer does: poll the whole device registry for changes (its cost grew with the
 * write rate times the hub nodes). A disabled, moved or deleted device is sent
 * {@code DEVICE_CHANGED} by whoever changed it ({@link HubBackend#deviceChanged}).
 */
final class LiveRevocation {
    private static final Logger LOG = LoggerFactory.getLogger(LiveRevocation.class);
    static final String REVOCATIONS = "revocations";
    static final String CONFIG = "config";

    private final Hub hub;
    private final Map<String, Long> lastSeqByCa = new ConcurrentHashMap<>();
    /** Each CA's revocation seq before the hub took its first connection. */
    private final Map<String, Long> baseline;
    private final Map<String, Boolean> enrollmentOn = new ConcurrentHashMap<>();
    private volatile boolean running;
    private ScheduledFuture<?> task;

    /** Called before the hub binds: see {@link #track}. */
    LiveRevocation(Hub hub) {
        this.hub = hub;
        this.baseline = Map.copyOf(hub.store().certificates().lastRevocationSeqs());
    }

    /**
     * Starts following revocations of this CA (null: the certificate is not in this store) from
     * the seq it had before the hub bound, not from its current one: a revocation committed
     * between a connection's validation and this call is then still delivered. Replaying a CA's
     * revocations since the hub started costs one read, once.
     */
    void track(String ca) {
        if (ca != null) {
            lastSeqByCa.computeIfAbsent(ca, c -> baseline.getOrDefault(c, 0L));
        }
    }

    /** Doorbell handlers hop to the hub's I/O executor: the bus thread never waits on the store. */
    void start(ScheduledExecutorService timers, Duration backstop, NodeBus bus) {
        running = true;
        hub.store().enrollments().list().forEach(e -> enrollmentOn.put(e.name(), e.enabled()));
        bus.onDoorbell(REVOCATIONS, () -> later(this::revocations));
        bus.onDoorbell(CONFIG, () -> later(this::enrollments));
        task = timers.scheduleWithFixedDelay(() -> {
            safely(this::revocations);
            safely(this::enrollments);
        }, backstop.toMillis(), backstop.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop() {
        running = false;
        if (task != null) {
            task.cancel(false);
        }
    }

    private void later(Runnable r) {
        if (running) {
            hub.io(() -> {
                safely(r);
                return null;
            });
        }
    }

    private void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("event=hub.watch_failed hub={} msg=\"{}\"", hub.name(), e.toString());
        }
    }

    /** New revocations of the tracked CAs; one reader at a time, so each CA's seq only grows. */
    synchronized void revocations() {
        for (Map.Entry<String, Long> e : lastSeqByCa.entrySet()) {
            long[] max = {e.getValue()};
            hub.store().certificates().forEachRevoked(e.getKey(), e.getValue(), r -> {
                hub.certificateRevoked(r.serialHex());
                max[0] = Math.max(max[0], r.seq());
            });
            e.setValue(max[0]);
        }
    }

    /** Enrollments that turned disabled since the last look. */
    synchronized void enrollments() {
        for (EnrollmentRecord en : hub.store().enrollments().list()) {
            Boolean was = enrollmentOn.put(en.name(), en.enabled());
            if (!en.enabled() && !Boolean.FALSE.equals(was)) {
                hub.enrollmentDisabled(en.name());
            }
        }
    }
}
