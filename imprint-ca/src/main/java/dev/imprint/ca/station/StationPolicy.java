package dev.imprint.ca.station;

import dev.imprint.ca.CaException;
import dev.imprint.ca.CaException.Reason;
import dev.imprint.cluster.ExpiringCache;
import dev.imprint.cluster.LiveNodeCount;
import dev.imprint.cluster.SharedRate;
import dev.imprint.store.StationRecord;
import dev.imprint.store.StationStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * What the CA enforces for a station: active, ID pattern, rate (token bucket) and quota.
 *
 * <p>Station records are cached for at most one second (and dropped at once when changed through
 * this CA), so another node's revocation takes effect within a second. The quota is leased from
 * the store in blocks ({@link StationStore#reserve}) so a busy station costs one store write per
 * block, not per certificate; unused lease is given back on {@link #close()}. A crash can lose an
 * unused lease: the quota then errs on the side of issuing fewer, never more.
 *
 * <p>A station's rate is for the whole CA: on several CA nodes each admits its share, the rate
 * divided by the live CA nodes ({@link SharedRate}), so a balancer spreading the station's
 * requests over N nodes does not make it N times faster.
 */
public final class StationPolicy implements AutoCloseable {
    /** How long a station record is used before it is read again: another node's change applies within it. */
    private static final Duration RECORD_LIFETIME = Duration.ofSeconds(1);
    /**
     * Only stations that exist are kept (an unknown name is refused, not cached), so the station
     * table bounds the cache: no bound of its own.
     */
    private static final int RECORDS_KEPT = Integer.MAX_VALUE;
    /** A lease used up within this long makes the next one of a station without quota twice as large. */
    private static final long FAST_LEASE_NANOS = 1_000_000_000L;
    private static final int LEASE_BLOCK = 64;
    /** Largest lease of a station without quota, reached by doubling while leases last under a second. */
    private static final int UNLIMITED_LEASE_MAX = 4096;

    private record Cached(StationRecord record, Pattern pattern) {}

    private final StationStore stations;
    /** On the system clock, not the rate buckets': a test moving the buckets' clock does not expire records. */
    private final ExpiringCache<String, Cached> cache = new ExpiringCache<>(RECORD_LIFETIME, RECORDS_KEPT, System::nanoTime);
    private final Map<String, SharedRate> rates = new ConcurrentHashMap<>();
    private final LiveNodeCount caNodes;
    private final LongSupplier nanoTime;
    private final Map<String, Lease> leases = new ConcurrentHashMap<>();

    /** Quota taken from the store and not yet used; {@code block} is the size of the next lease. */
    private static final class Lease {
        int left;
        int block = LEASE_BLOCK;
        long takenAt;
    }

    /** One CA node: every station's whole rate here. */
    public StationPolicy(StationStore stations) {
        this(stations, () -> 1, System::nanoTime);
    }

    /**
     * @param liveCaNodes how many CA nodes share each station's rate (the node table's count; at least 1 counts)
     * @param nanoTime the clock of the rate buckets (tests move it by hand)
     */
    public StationPolicy(StationStore stations, IntSupplier liveCaNodes, LongSupplier nanoTime) {
        this.stations = stations;
        this.caNodes = new LiveNodeCount("ca", liveCaNodes, nanoTime);
        this.nanoTime = nanoTime;
    }

    /** @throws CaException STATION_UNKNOWN or STATION_REVOKED */
    public StationRecord requireActive(String name) {
        Cached c = cached(name);
        if (c.record.revoked()) {
            throw new CaException(Reason.STATION_REVOKED, "station " + name + " is revoked");
        }
        return c.record;
    }

    /** @throws CaException ID_NOT_ALLOWED when the ID does not match the station's pattern in full */
    public void requireIdAllowed(String name, String deviceId) {
        if (!cached(name).pattern.matcher(deviceId).matches()) {
            throw new CaException(Reason.ID_NOT_ALLOWED, "device ID " + deviceId + " is outside station " + name + "'s pattern");
        }
    }

    /** @throws CaException RATE_EXCEEDED when this node's share of the station's rate is used up */
    public void takeRateToken(String name) {
        StationRecord r = cached(name).record;
        if (r.ratePerSecond() <= 0) {
            return;
        }
        SharedRate rate = rates.get(name);
        if (rate == null || rate.perSecond() != r.ratePerSecond()) {
            // a rate changed on another node starts a fresh bucket once the cached record shows it
            rate = rates.compute(name, (n, old) -> old != null && old.perSecond() == r.ratePerSecond()
                    ? old : new SharedRate(r.ratePerSecond(), caNodes, nanoTime));
        }
        if (rate.take() > 0) {
            throw new CaException(Reason.RATE_EXCEEDED, "station " + name + " exceeds " + r.ratePerSecond()
                    + " issuances per second" + (rate.nodes() > 1 ? " (this CA node's share: " + rate.share() + " of "
                    + rate.nodes() + " live CA nodes)" : ""));
        }
    }

    /**
     * Takes one unit of quota. A station without quota leases in growing blocks (up to
     * {@value #UNLIMITED_LEASE_MAX}) while it uses them up within a second, so a busy line costs
     * a store write every few thousand certificates; a station with quota keeps blocks of
     * {@value #LEASE_BLOCK}, bounding what a crash can lose.
     *
     * @throws CaException QUOTA_EXCEEDED
     */
    public void reserveOne(String name) {
        Lease lease = leases.computeIfAbsent(name, n -> new Lease());
        synchronized (lease) {
            if (lease.left > 0) {
                lease.left--;
                return;
            }
            long now = System.nanoTime();
            boolean unlimited = cached(name).record.quota() == 0;
            int block = unlimited ? lease.block : LEASE_BLOCK;
            if (stations.reserve(name, block)) {
                lease.left = block - 1;
                if (unlimited && lease.takenAt != 0 && now - lease.takenAt < FAST_LEASE_NANOS) {
                    lease.block = Math.min(UNLIMITED_LEASE_MAX, block * 2);
                } else if (!unlimited) {
                    lease.block = LEASE_BLOCK;
                }
                lease.takenAt = now;
                return;
            }
            if (stations.reserve(name, 1)) {
                return;
            }
        }
        throw new CaException(Reason.QUOTA_EXCEEDED, "station " + name + " has used its quota");
    }

    /** Gives back one unit after a failed signing or recording. */
    public void releaseOne(String name) {
        Lease lease = leases.computeIfAbsent(name, n -> new Lease());
        synchronized (lease) {
            lease.left++;
        }
    }

    /** Forgets the cached record (after a change made here). */
    public void invalidate(String name) {
        cache.invalidate(name);
        rates.remove(name);
    }

    private Cached cached(String name) {
        return cache.get(name, n -> {
            StationRecord r = stations.find(n).orElseThrow(() -> new CaException(Reason.STATION_UNKNOWN, "no station named " + n));
            return new Cached(r, Pattern.compile(r.idPattern()));
        });
    }

    /** Returns unused quota leases to the store. */
    @Override
    public void close() {
        leases.forEach((name, lease) -> {
            synchronized (lease) {
                if (lease.left > 0) {
                    stations.release(name, lease.left);
                    lease.left = 0;
                }
            }
        });
    }
}
