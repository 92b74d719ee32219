package dev.imprint.server.console;

import dev.imprint.store.RegistrationEvent;
import dev.imprint.store.SessionDirectory;
import dev.imprint.store.Store;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The numbers of the console's live overview, read every {@link #interval} into two rings: fine
 * samples for the last hour and one-minute samples for the last day, so a page opened late still
 * draws the whole range it asks for. Connected devices come from the store's session directory
 * (every node's, by hub and node); registrations from the store's registration history (every DPS
 * node's); revocations from the CAs' revocation counters; telemetry and refusals from this node's
 * Micrometer registry (counters {@code imprint.hub.telemetry.accepted}, {@code *.refusals},
 * {@code imprint.ca.refused}), so in a cluster they are this node's hubs and endpoints.
 *
 * <p>{@link #sample} reads the store: call it off the event loop. The rings are guarded by this
 * object; a listener is called on the sampling thread after each sample.
 */
public final class FleetSampler {
    /** How long the fine ring reaches back. */
    static final Duration FINE_SPAN = Duration.ofHours(1);
    /** Width of one coarse sample, and how long the coarse ring reaches back. */
    static final Duration COARSE_STEP = Duration.ofMinutes(1);
    static final Duration COARSE_SPAN = Duration.ofHours(24);

    /**
     * What happened in one interval ending at {@code at} (epoch ms) and lasting {@code seconds}:
     * live sessions at its end per hub and per node, and counts within it.
     */
    public record Sample(long at, double seconds, Map<String, Integer> hubs, Map<String, Integer> nodes, long registrations,
            long telemetry, Map<String, Long> refusals, long revocations) {}

    /** The time ranges the overview offers, and which ring serves each. */
    public enum Range {
        M15(Duration.ofMinutes(15), false), H1(Duration.ofHours(1), false), H24(Duration.ofHours(24), true);

        final Duration span;
        final boolean coarse;

        Range(Duration span, boolean coarse) {
            this.span = span;
            this.coarse = coarse;
        }

        /** {@code 15m}, {@code 1h} or {@code 24h}; anything else is 15 minutes. */
        public static Range parse(String s) {
            return "1h".equals(s) ? H1 : "24h".equals(s) ? H24 : M15;
        }
    }

    private final Store store;
    private final MeterRegistry meters;
    private final List<String> cas;
    private final Clock clock;
    private final Duration interval;
    private final Deque<Sample> fine = new ArrayDeque<>();
    private final Deque<Sample> coarse = new ArrayDeque<>();
    private final List<Sample> pendingCoarse = new ArrayList<>();
    private final List<Consumer<Sample>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private Totals last;

    /** @param cas the CAs whose revocations are counted */
    public FleetSampler(Store store, MeterRegistry meters, List<String> cas, Clock clock, Duration interval) {
        this.store = store;
        this.meters = meters;
        this.cas = List.copyOf(cas);
        this.clock = clock;
        this.interval = interval;
    }

    public Duration interval() {
        return interval;
    }

    /** Called with every new fine sample. */
    public void onSample(Consumer<Sample> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<Sample> listener) {
        listeners.remove(listener);
    }

    public boolean listening(Consumer<Sample> listener) {
        return listeners.contains(listener);
    }

    /** Running totals: a sample is the difference of two of these. */
    private record Totals(long at, long registrationSeq, long telemetry, Map<String, Long> refusals, long revocations) {}

    /**
     * Reads the sources once. The first call only sets the baseline (the counts since the
     * server started are not one interval's); every later one records a sample and returns it.
     */
    public synchronized java.util.Optional<Sample> sample() {
        long now = clock.millis();
        List<SessionDirectory.Count> sessions = store.sessions().countByHub();
        long seq = last == null ? newestRegistration() : last.registrationSeq();
        dev.imprint.store.DeviceRegistry.Tally tally = store.deviceRegistry().tallyAfter(seq);
        Map<String, Long> refusals = new TreeMap<>(meterRefusals());
        long registrations = 0;
        for (var e : tally.byOutcome().entrySet()) {
            if (e.getKey().equals("assigned")) {
                registrations += e.getValue();
            } else {
                // DPS refusals are in the store on every DPS node; counted here as deltas already
                refusals.merge("dps:" + e.getKey(), e.getValue(), Long::sum);
            }
        }
        Totals now0 = new Totals(now, tally.lastSeq(), telemetry(), refusals, revocations());
        Totals before = last;
        last = now0;
        if (before == null) {
            return java.util.Optional.empty();
        }
        Map<String, Integer> hubs = new TreeMap<>();
        Map<String, Integer> nodes = new TreeMap<>();
        for (SessionDirectory.Count c : sessions) {
            hubs.merge(c.hub(), c.sessions(), Integer::sum);
            nodes.merge(c.node(), c.sessions(), Integer::sum);
        }
        Map<String, Long> refusalDelta = new TreeMap<>();
        for (var e : refusals.entrySet()) {
            long d = e.getKey().startsWith("dps:") ? e.getValue() : e.getValue() - before.refusals().getOrDefault(e.getKey(), 0L);
            if (d > 0) {
                refusalDelta.put(e.getKey(), d);
            }
        }
        Sample s = new Sample(now, (now - before.at()) / 1000.0, hubs, nodes, registrations,
                Math.max(0, now0.telemetry() - before.telemetry()), refusalDelta, Math.max(0, now0.revocations() - before.revocations()));
        record(s);
        for (Consumer<Sample> l : listeners) {
            l.accept(s);
        }
        return java.util.Optional.of(s);
    }

    private void record(Sample s) {
        fine.addLast(s);
        while (!fine.isEmpty() && fine.peekFirst().at() <= s.at() - FINE_SPAN.toMillis()) {
            fine.removeFirst();
        }
        pendingCoarse.add(s);
        if (s.at() - pendingCoarse.get(0).at() + (long) (pendingCoarse.get(0).seconds() * 1000) >= COARSE_STEP.toMillis()) {
            coarse.addLast(merge(pendingCoarse));
            pendingCoarse.clear();
            while (!coarse.isEmpty() && coarse.peekFirst().at() <= s.at() - COARSE_SPAN.toMillis()) {
                coarse.removeFirst();
            }
        }
    }

    /** One sample for several consecutive ones: sessions as at the end, counts summed. */
    static Sample merge(List<Sample> parts) {
        Sample end = parts.get(parts.size() - 1);
        double seconds = 0;
        long registrations = 0;
        long telemetry = 0;
        long revocations = 0;
        Map<String, Long> refusals = new TreeMap<>();
        for (Sample p : parts) {
            seconds += p.seconds();
            registrations += p.registrations();
            telemetry += p.telemetry();
            revocations += p.revocations();
            p.refusals().forEach((k, v) -> refusals.merge(k, v, Long::sum));
        }
        return new Sample(end.at(), seconds, end.hubs(), end.nodes(), registrations, telemetry, refusals, revocations);
    }

    /** The samples of a range, oldest first. */
    public synchronized List<Sample> history(Range range) {
        long from = clock.millis() - range.span.toMillis();
        List<Sample> out = new ArrayList<>();
        Collection<Sample> ring = range.coarse ? coarse : fine;
        for (Sample s : ring) {
            if (s.at() > from) {
                out.add(s);
            }
        }
        if (range.coarse && !pendingCoarse.isEmpty()) {
            out.add(merge(pendingCoarse));
        }
        return out;
    }

    private long newestRegistration() {
        List<RegistrationEvent> newest = store.deviceRegistry().history(null, 1, 0);
        return newest.isEmpty() ? 0 : newest.get(0).seq();
    }

    private long telemetry() {
        long n = 0;
        for (Counter c : meters.find("imprint.hub.telemetry.accepted").counters()) {
            n += (long) c.count();
        }
        return n;
    }

    /** Every refusal counter of this node by reason code, summed over its other tags. */
    private Map<String, Long> meterRefusals() {
        Map<String, Long> out = new TreeMap<>();
        for (Meter m : meters.getMeters()) {
            String name = m.getId().getName();
            if (!(m instanceof Counter c) || !(name.endsWith(".refusals") || name.equals("imprint.ca.refused"))) {
                continue;
            }
            String code = m.getId().getTag("code") != null ? m.getId().getTag("code") : m.getId().getTag("reason");
            if (code != null && c.count() > 0) {
                out.merge(code, (long) c.count(), Long::sum);
            }
        }
        return out;
    }

    private long revocations() {
        long n = 0;
        for (String ca : cas) {
            // revocation seqs are gap-free per CA: the last one is the count
            n += store.certificates().lastRevocationSeq(ca);
        }
        return n;
    }
}
