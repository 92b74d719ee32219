package dev.imprint.device.cloud;

import dev.imprint.device.DeviceKey;
import dev.imprint.device.OperationalState;
import io.netty.channel.EventLoop;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The operational certificate's renewal: when it is due (two thirds of the lifetime as this device
 * has it, plus a little jitter), renewed through the {@link Dialect} for a new key, checked against
 * that key and stored; after a failure tried again while the current certificate is still valid
 * (once it has expired, the reconnect provisions with the factory certificate instead). Switching
 * the connection to the new certificate is the life cycle's: it gets {@link Device#renewed}.
 *
 * <p>Each plan (and each cancel) starts a new generation; a timer or a failed attempt of an older
 * one does nothing more, so a retry cannot replace the renewal planned after a reconnect (which
 * would cost a second certificate and reconnect). A certificate that arrives for an older one is
 * still stored and handed over: it was issued, and dropping it would cost another.
 *
 * <p>State is confined to {@code loop}.
 */
final class Renewal {

    /** What the renewal needs of the device it renews for; called on the loop. */
    interface Device {
        /** The operational identity now, or null. */
        OperationalState.Operational current();

        /** The live session to renew over, or null when the device is not connected (then no renewal). */
        Session live();

        /** True once the device failed or was closed: a late answer is dropped. */
        boolean stopped();

        /** The renewed identity, already stored: announce it ({@link DeviceClient.Events#rotated}) and switch to it. */
        void renewed(OperationalState.Operational next);
    }

    private final DeviceRuntime rt;
    private final EventLoop loop;
    private final Dialect dialect;
    private final String deviceId;
    private final Supplier<DeviceKey> newKeys;
    private final OperationalState store;
    private final DeviceClient.Events events;
    private final Backoff backoff;
    private final Device device;
    private ScheduledFuture<?> timer; // on loop
    private long generation; // on loop: bumped by every plan and cancel

    Renewal(DeviceRuntime rt, EventLoop loop, Dialect dialect, String deviceId, Supplier<DeviceKey> newKeys, OperationalState store,
            DeviceClient.Events events, Backoff backoff, Device device) {
        this.rt = rt;
        this.loop = loop;
        this.dialect = dialect;
        this.deviceId = deviceId;
        this.newKeys = newKeys;
        this.store = store;
        this.events = events;
        this.backoff = backoff;
        this.device = device;
    }

    /**
     * How long until renewal is due: two thirds of the lifetime, counted from when the device got
     * the certificate ({@code since}) or its notBefore, whichever is later, since certificates are
     * backdated against clock skew. Zero or negative: due now.
     */
    static Duration untilDue(Instant notBefore, Instant notAfter, Instant since, Instant now) {
        Instant from = notBefore.isAfter(since) ? notBefore : since;
        Duration life = Duration.between(from, notAfter);
        return Duration.between(now, from.plus(life.multipliedBy(2).dividedBy(3)));
    }

    /** After a failed renewal: wait {@code wait} and try again, unless the certificate expires first (empty). */
    static Optional<Duration> retry(Duration wait, Instant notAfter, Instant now) {
        return wait.compareTo(Duration.between(now, notAfter)) < 0 ? Optional.of(wait) : Optional.empty();
    }

    /** Plans the renewal of {@code op}, which the device got at {@code since}, replacing any planned one (on loop). */
    void schedule(OperationalState.Operational op, Instant since) {
        cancel();
        long planned = generation;
        X509Certificate leaf = op.chain().get(0);
        Instant notBefore = leaf.getNotBefore().toInstant();
        Instant notAfter = leaf.getNotAfter().toInstant();
        Instant from = notBefore.isAfter(since) ? notBefore : since;
        // a little jitter (up to 3% of the lifetime) so a fleet made together does not renew together
        long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, Duration.between(from, notAfter).toMillis() * 3 / 100));
        plan(untilDue(notBefore, notAfter, since, Instant.now()).plusMillis(jitter), planned);
    }

    /** Drops the planned renewal, and the retry of an attempt on its way (on loop). */
    void cancel() {
        generation++;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** How long until the planned renewal (or retry), null when none (on loop; for tests). */
    Duration untilPlanned() {
        return timer == null ? null : Duration.ofMillis(timer.getDelay(TimeUnit.MILLISECONDS));
    }

    private void plan(Duration wait, long planned) {
        timer = rt.schedule(wait, () -> loop.execute(() -> renew(planned)));
    }

    private void renew(long planned) {
        if (planned != generation) {
            return; // fired as it was cancelled or replaced
        }
        OperationalState.Operational current = device.current();
        Session live = device.live();
        if (live == null || current == null) {
            return;
        }
        DeviceKey key = newKeys.get();
        dialect.renew(new Identity(current.key(), current.chain()), deviceId, key, live).whenCompleteAsync((chain, t) -> {
            if (device.stopped()) {
                return;
            }
            if (t != null) {
                CloudException e = CloudException.of(t);
                events.transientError("ROTATION_" + e.code());
                if (planned != generation) {
                    return; // replanned (a reconnect) or cancelled while this attempt was on its way
                }
                retry(e.retryAfter() != null ? e.retryAfter() : backoff.next(1), current.chain().get(0).getNotAfter().toInstant(), Instant.now())
                        .ifPresent(wait -> plan(wait, planned));
                return;
            }
            List<X509Certificate> full = new ArrayList<>(chain);
            if (full.size() == 1 && current.chain().size() > 1) {
                full.addAll(current.chain().subList(1, current.chain().size()));
            }
            if (!key.matches(full.get(0).getPublicKey())) {
                events.transientError("ROTATION_KEY_MISMATCH");
                return;
            }
            OperationalState.Operational next = new OperationalState.Operational(key, full, current.hubHostname());
            store.saveOperational(next);
            device.renewed(next);
        }, loop);
    }
}
