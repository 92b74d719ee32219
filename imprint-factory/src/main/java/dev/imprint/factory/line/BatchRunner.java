package dev.imprint.factory.line;

import dev.imprint.device.Device;
import dev.imprint.device.DeviceState;
import dev.imprint.device.bus.BusChannel;
import dev.imprint.device.bus.SimLink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a batch: {@code parallel} conversations at once until the target is provisioned, the
 * devices stop coming, or the line must stop (station revoked, quota spent, CA unreachable).
 * A refused device is logged and counted; the batch goes on.
 */
public final class BatchRunner {
    private static final Logger LOG = LoggerFactory.getLogger(BatchRunner.class);

    /** How the batch ended. @param stopCode the code that stopped the line, or null */
    public record Result(int provisioned, int refused, int totalInBatch, double seconds, String stopCode, String stopMessage) {
        public double rate() {
            return seconds <= 0 ? 0 : provisioned / seconds;
        }
    }

    private final Provisioner provisioner;
    private final int parallel;
    private final Progress progress;
    private final AtomicReference<Outcome.Refused> stop = new AtomicReference<>();

    public BatchRunner(Provisioner provisioner, int parallel, Progress progress) {
        this.provisioner = provisioner;
        this.parallel = parallel;
        this.progress = progress;
    }

    /**
     * Simulated devices: first those that were on the line when an earlier run stopped
     * ({@code returning}), then fresh ones, {@code count} conversations in all.
     */
    public Result runSim(SimFleet fleet, List<DeviceState> returning, int count, int before, Duration step) {
        ConcurrentLinkedQueue<DeviceState> retries = new ConcurrentLinkedQueue<>(returning);
        AtomicInteger left = new AtomicInteger(count);
        ExecutorService devices = Executors.newFixedThreadPool(parallel, daemon("imprint-sim-device"));
        try {
            return run(() -> {
                if (left.getAndDecrement() <= 0) {
                    return null;
                }
                DeviceState state = retries.poll();
                DeviceState s = state != null ? state : fleet.fresh();
                SimLink[] link = SimLink.pair(s.deviceId().orElse("new"));
                devices.submit(() -> {
                    try (SimLink end = link[1]) {
                        new Device(s).factoryJoin(end, step);
                    } catch (RuntimeException e) {
                        LOG.debug("sim device ended: {}", e.toString());
                    }
                });
                return link[0];
            }, before);
        } finally {
            devices.shutdownNow();
        }
    }

    /** Devices from a bus: until {@code count} are provisioned (0 = until the source closes or the line stops). */
    public Result runSource(DeviceSource source, int count, int before) {
        AtomicInteger done = new AtomicInteger();
        return run(() -> {
            while (stop.get() == null && (count <= 0 || progress.provisioned() < count)) {
                BusChannel ch = source.next(Duration.ofMillis(200));
                if (ch != null) {
                    done.incrementAndGet();
                    return ch;
                }
            }
            return null;
        }, before);
    }

    private interface Next {
        BusChannel next();
    }

    private Result run(Next next, int before) {
        ExecutorService workers = Executors.newFixedThreadPool(parallel, daemon("imprint-station"));
        long t0 = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < parallel; i++) {
            futures.add(workers.submit(() -> {
                while (stop.get() == null) {
                    BusChannel ch;
                    synchronized (next) {
                        ch = next.next();
                    }
                    if (ch == null) {
                        return;
                    }
                    try (ch) {
                        record(provisioner.provision(ch));
                    }
                }
            }));
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (Exception e) {
                LOG.error("station worker failed", e);
            }
        }
        workers.shutdownNow();
        double seconds = (System.nanoTime() - t0) / 1e9;
        Outcome.Refused s = stop.get();
        return new Result(progress.provisioned(), progress.refused(), before + progress.provisioned(), seconds,
                s == null ? null : s.code(), s == null ? null : s.message());
    }

    private void record(Outcome o) {
        if (o instanceof Outcome.Provisioned p) {
            progress.provisioned.incrementAndGet();
            LOG.debug("event=device.provisioned id={} serial={} reused={}", p.deviceId(), p.serialHex(), p.reusedCertificate());
        } else if (o instanceof Outcome.Refused r) {
            if (r.deviceId() == null && "TIMEOUT".equals(r.code())) {
                return; // nobody came: an idle line, not a refusal
            }
            progress.refused.incrementAndGet();
            LOG.info("event=device.refused id={} code={} msg=\"{}\"", r.deviceId(), r.code(), r.message());
            if (r.stopsLine() && stop.compareAndSet(null, r)) {
                LOG.warn("event=line.stopped code={} msg=\"{}\"", r.code(), r.message());
            }
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
