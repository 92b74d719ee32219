package dev.imprint.hub;

import dev.imprint.store.DeviceRecord;
import dev.imprint.store.EnrollmentRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store poll behind live revocation, for changes made by other processes (the in-process
 * CA calls {@link Hub#certificateRevoked} directly): every interval it reads new revocations
 * of the CAs whose certificates have live sessions (by revocation seq), devices changed since
 * the last poll, and enrollment flags, and ends the sessions concerned. Also flushes last-seen
 * times every 30 s.
 */
final class LiveRevocation {
    private static final Logger LOG = LoggerFactory.getLogger(LiveRevocation.class);

    private final Hub hub;
    private final Map<String, Long> lastSeqByCa = new ConcurrentHashMap<>();
    private final Map<String, Boolean> enrollmentOn = new ConcurrentHashMap<>();
    private Instant devicesSince = Instant.now().minusSeconds(1);
    private long lastSeenFlush = System.nanoTime();
    private ScheduledFuture<?> task;

    LiveRevocation(Hub hub) {
        this.hub = hub;
    }

    /** Starts following revocations of this CA (null: the certificate is not in this store). */
    void track(String ca) {
        if (ca != null) {
            lastSeqByCa.computeIfAbsent(ca, c -> hub.store().certificates().lastRevocationSeq(c));
        }
    }

    void start(ScheduledExecutorService timers, Duration interval) {
        task = timers.scheduleWithFixedDelay(this::pollSafely, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop() {
        if (task != null) {
            task.cancel(false);
        }
    }

    private void pollSafely() {
        try {
            poll();
        } catch (RuntimeException e) {
            LOG.warn("event=hub.watch_failed hub={} msg=\"{}\"", hub.name(), e.toString());
        }
    }

    void poll() {
        for (Map.Entry<String, Long> e : lastSeqByCa.entrySet()) {
            long[] max = {e.getValue()};
            hub.store().certificates().forEachRevoked(e.getKey(), e.getValue(), r -> {
                hub.certificateRevoked(r.serialHex());
                max[0] = Math.max(max[0], r.seq());
            });
            e.setValue(max[0]);
        }
        Instant now = Instant.now();
        if (hub.sessionCount() > 0) {
            // overlap one second: a write committed late with an earlier timestamp is still seen
            for (DeviceRecord d : hub.store().deviceRegistry().changedSince(devicesSince.minusSeconds(1), 10_000)) {
                hub.deviceChanged(d.deviceId());
            }
            for (EnrollmentRecord en : hub.store().enrollments().list()) {
                Boolean was = enrollmentOn.put(en.name(), en.enabled());
                if (!en.enabled() && !Boolean.FALSE.equals(was)) {
                    hub.enrollmentDisabled(en.name());
                }
            }
        }
        devicesSince = now;
        if (System.nanoTime() - lastSeenFlush > 30_000_000_000L) {
            lastSeenFlush = System.nanoTime();
            ArrayList<String> ids = new ArrayList<>();
            hub.sessions().forEach(s -> ids.add(s.deviceId));
            hub.store().presence().seen(Set.copyOf(ids), now);
        }
    }
}
