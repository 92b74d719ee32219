package dev.imprint.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One abuse case's frame: what it was, the limit, and what must hold around it. Started before
 * the attack (bystander mark, store census, ERROR-line count, a sampler of heap and live threads
 * every 50 ms); {@link #finish} checks that the bystander's telemetry was acknowledged throughout
 * with no failure, that no ERROR line was written, that heap and threads stayed bounded, and
 * that the store grew only where the case allows; then writes the case's row of figures.
 */
final class Case {
    /** Threads the server may add under any abuse (Vert.x workers are made on demand, up to https.workerThreads = 64). */
    static final int THREAD_ALLOWANCE = 100;
    static final long BEFORE_WINDOW = Duration.ofSeconds(3).toNanos();

    private final LiveImprint live;
    private final String name;
    private final String limit;
    private final String reason;
    private final Bystander.Mark mark;
    private final Bystander.Latency before;
    private final Map<String, Long> census;
    private final long errorsBefore;
    private final int threadsBefore;
    private final AtomicLong peakHeap = new AtomicLong();
    private final AtomicLong peakThreads = new AtomicLong();
    private final Thread sampler;
    private volatile boolean sampling = true;
    private String held = "";
    private final java.util.Set<String> growing = new java.util.HashSet<>();

    private Case(LiveImprint live, String name, String limit, String reason) {
        this.live = live;
        this.name = name;
        this.limit = limit;
        this.reason = reason;
        // the bystander has been publishing since the server started: its last few seconds are "before"
        await().atMost(Duration.ofSeconds(10)).until(() -> live.bystander.acknowledged() >= 5);
        this.mark = live.bystander.mark();
        this.before = live.bystander.before(mark, BEFORE_WINDOW);
        this.census = StoreCensus.take(live.data);
        this.errorsBefore = live.log.errors();
        this.threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        this.sampler = new Thread(() -> {
            while (sampling) {
                peakHeap.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
                peakThreads.accumulateAndGet(ManagementFactory.getThreadMXBean().getThreadCount(), Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "abuse-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    static Case start(LiveImprint live, String name, String limit, String reason) {
        return new Case(live, name, limit, reason);
    }

    /** What the limit did, for the figures (e.g. "closed after 2.03 s", "31st CONNECT refused"). */
    Case held(String what) {
        this.held = what;
        return this;
    }

    /** A store count this case grows by an amount it cannot know in advance (a device's own telemetry); left out of the comparison. */
    Case growing(String count) {
        growing.add(count);
        return this;
    }

    /**
     * Checks everything that must hold around an attack and records the figures.
     *
     * @param allowed store growth the case itself causes (e.g. certificates a station may still obtain); anything else must stay put
     */
    void finish(Map<String, Long> allowed) throws Exception {
        // a short case still needs the bystander to be heard during it
        await().atMost(Duration.ofSeconds(10)).until(() -> live.bystander.since(mark).acknowledged() >= 3);
        sampling = false;
        sampler.join(1000);
        Bystander.Latency during = live.bystander.since(mark);
        Map<String, Long> growth = StoreCensus.growth(census, StoreCensus.take(live.data));
        long heapMb = peakHeap.get() >> 20;
        long maxMb = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax() >> 20;
        String store = growth.isEmpty() ? "unchanged" : growth.toString();
        Figures.add(String.format("%s | %s | %s | %s | %s | %s | peak %d MiB of %d, %d threads (%+d) | %s", name, limit, held, reason,
                before.show(), during.show(), heapMb, maxMb, peakThreads.get(), peakThreads.get() - threadsBefore, store));
        assertThat(during.failures()).as("bystander publishes that failed during " + name).isZero();
        assertThat(live.log.errors() - errorsBefore).as("ERROR lines during " + name + ": " + live.log.errorLines()).isZero();
        assertThat(peakThreads.get()).as("live threads during " + name).isLessThanOrEqualTo(threadsBefore + THREAD_ALLOWANCE);
        assertThat(heapMb).as("peak heap during " + name).isLessThan(maxMb * 9 / 10);
        Map<String, Long> checked = new java.util.LinkedHashMap<>(growth);
        checked.keySet().removeAll(growing);
        assertThat(checked).as("store growth during " + name).isEqualTo(allowed);
    }

    void finish() throws Exception {
        finish(Map.of());
    }
}
