package dev.imprint.dps.enrollment;

import dev.imprint.dps.DpsException;
import dev.imprint.dps.DpsReason;
import dev.imprint.store.EnrollmentStore;
import dev.imprint.store.StoreException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The enrollments, from the store, with an in-memory snapshot for the registration hot path.
 * Changes made here are visible at once; changes made by another process sharing the
 * database within {@code refresh}.
 */
public final class Enrollments {
    private static final Logger LOG = LoggerFactory.getLogger(Enrollments.class);

    private final EnrollmentStore store;
    private final Clock clock;
    private final Duration refresh;
    private volatile Snapshot snapshot;

    /** What the hot path reads: every enrollment, parsed, and a version bumped on each reload. */
    public record Snapshot(List<Enrollment> all, long version, Instant loadedAt) {}

    public Enrollments(EnrollmentStore store, Clock clock, Duration refresh) {
        this.store = store;
        this.clock = clock;
        this.refresh = refresh;
        this.snapshot = load(0);
    }

    /** The current snapshot (reloaded when older than the refresh interval). */
    public Snapshot snapshot() {
        Snapshot s = snapshot;
        if (clock.instant().isAfter(s.loadedAt().plus(refresh))) {
            synchronized (this) {
                if (snapshot == s) {
                    snapshot = load(s.version() + 1);
                }
                return snapshot;
            }
        }
        return s;
    }

    /**
     * The enrollment that covers a validated device: its individual enrollment if any, else
     * the first group (by name) whose CA is in the path and whose ID pattern matches (groups
     * with a pattern before groups without). Disabled
     * enrollments are returned too: the caller answers {@code disabled}.
     */
    public Optional<Enrollment> match(String registrationId, List<X509Certificate> path) {
        List<Enrollment> all = snapshot().all();
        for (Enrollment e : all) {
            if (e.kind() == Enrollment.Kind.INDIVIDUAL && e.covers(registrationId, path)) {
                return Optional.of(e);
            }
        }
        // a group narrowed by an ID pattern is more specific than one without: it wins
        Enrollment broad = null;
        for (Enrollment e : all) {
            if (e.kind() == Enrollment.Kind.GROUP && e.covers(registrationId, path)) {
                if (e.idPattern() != null) {
                    return Optional.of(e);
                }
                if (broad == null) {
                    broad = e;
                }
            }
        }
        return Optional.ofNullable(broad);
    }

    /** The CA certificates of every group enrollment: trust anchors of attestation. */
    public List<X509Certificate> groupCas() {
        List<X509Certificate> out = new ArrayList<>();
        for (Enrollment e : snapshot().all()) {
            if (e.ca() != null) {
                out.add(e.ca());
            }
        }
        return out;
    }

    public List<Enrollment> list() {
        return snapshot().all();
    }

    public Optional<Enrollment> find(String name) {
        return snapshot().all().stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** @throws DpsException BAD_REQUEST when the name (or the individual device ID) is taken */
    public void add(Enrollment e) {
        try {
            store.add(e.toRecord());
        } catch (StoreException x) {
            throw new DpsException(DpsReason.BAD_REQUEST, x.getMessage());
        }
        reload();
    }

    /** @return false when no enrollment has that name */
    public boolean update(Enrollment e) {
        boolean found;
        try {
            found = store.update(e.toRecord());
        } catch (StoreException x) {
            throw new DpsException(DpsReason.BAD_REQUEST, x.getMessage());
        }
        reload();
        return found;
    }

    public boolean setEnabled(String name, boolean enabled) {
        boolean found = store.setEnabled(name, enabled, clock.instant());
        reload();
        return found;
    }

    public boolean remove(String name) {
        boolean found = store.remove(name);
        reload();
        return found;
    }

    /** Rereads the store now. */
    public synchronized void reload() {
        snapshot = load(snapshot.version() + 1);
    }

    private Snapshot load(long version) {
        List<Enrollment> parsed = new ArrayList<>();
        for (var r : store.list()) {
            try {
                parsed.add(Enrollment.from(r));
            } catch (IllegalArgumentException e) {
                // a broken row must not take every other enrollment down; it covers no device
                LOG.warn("event=dps.enrollment.unreadable name={} msg=\"{}\"", r.name(), e.getMessage());
            }
        }
        return new Snapshot(List.copyOf(parsed), version, clock.instant());
    }
}
