package dev.imprint.mqtt;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The keep-alive deadlines of one event loop's connections, on a timing wheel that one periodic
 * task of the loop turns (a tick of {@link #TICK_NANOS}) while it holds any. Netty's
 * {@code IdleStateHandler} costs every idle connection a handler, a pipeline context and a
 * scheduled task; here a connection costs its {@link Entry} and one array slot. A read only writes
 * the entry's time; an entry is looked at when its slot comes round (a deadline further than one
 * turn away waits in its slot for the turns in between), and closed no later than one tick after
 * its deadline. Event loop only.
 */
final class KeepAliveWheel {
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** 51.2 s a turn: a connection at the 1,200 s keep-alive cap is looked at 35 times per deadline. */
    private static final int SLOTS = 512;

    /** One connection's keep-alive: the time of its last packet, and what to do when it stays silent too long. */
    abstract static class Entry {
        private final long timeoutNanos;
        private long lastRead;
        private int slot = -1;
        private int index;

        /** @param timeoutNanos silence after which {@link #expired} runs (1.5 keep-alive periods) */
        Entry(long timeoutNanos, long nowNanos) {
            this.timeoutNanos = timeoutNanos;
            this.lastRead = nowNanos;
        }

        /** A packet arrived. */
        final void read(long nowNanos) {
            lastRead = nowNanos;
        }

        private long deadline() {
            return lastRead + timeoutNanos;
        }

        /** Silent for the whole timeout; already off the wheel. */
        abstract void expired();
    }

    private final EventLoop loop;
    private final Ticker ticker;
    private final Entry[][] slots = new Entry[SLOTS][];
    private final int[] sizes = new int[SLOTS];
    private int count;
    /** The last tick whose slot was looked at. */
    private long turned;
    private ScheduledFuture<?> task;

    KeepAliveWheel(EventLoop loop) {
        this.loop = loop;
        this.ticker = loop.ticker();
    }

    /** The clock entries are read against (the loop's, so tests can move it). */
    long now() {
        return ticker.nanoTime();
    }

    void add(Entry e) {
        if (e.slot >= 0) {
            return;
        }
        if (count++ == 0) {
            turned = tick(now()) - 1;
            task = loop.scheduleAtFixedRate(this::turn, TICK_NANOS, TICK_NANOS, TimeUnit.NANOSECONDS);
        }
        place(e, Math.max(tick(e.deadline()), turned + 1));
    }

    /** Off the wheel (the connection closed); its slot is reused when the wheel next comes round to it. */
    void remove(Entry e) {
        if (e.slot < 0) {
            return;
        }
        slots[e.slot][e.index] = null;
        e.slot = -1;
        if (--count == 0) {
            stop();
        }
    }

    /** Connections on the wheel. */
    int size() {
        return count;
    }

    /** Looks at every slot whose tick has wholly passed since the last turn. */
    private void turn() {
        long now = now();
        long last = tick(now) - 1;
        List<Entry> due = null;
        for (long t = turned + 1; t <= last && t <= turned + SLOTS; t++) {
            due = visit((int) Math.floorMod(t, (long) SLOTS), now, due);
        }
        turned = Math.max(turned, last);
        if (due != null) {
            // after the slots are consistent again: a close may run handlers that touch the wheel
            due.forEach(Entry::expired);
        }
        if (count == 0) {
            stop();
        }
    }

    private List<Entry> visit(int s, long now, List<Entry> due) {
        Entry[] a = slots[s];
        int n = sizes[s];
        int kept = 0;
        for (int i = 0; i < n; i++) {
            Entry e = a[i];
            if (e == null) {
                continue;
            }
            a[i] = null;
            long deadline = e.deadline();
            if (deadline - now <= 0) {
                e.slot = -1;
                count--;
                if (due == null) {
                    due = new ArrayList<>();
                }
                due.add(e);
                continue;
            }
            int to = slotOf(tick(deadline));
            if (to == s) {
                a[kept] = e;
                e.index = kept++;
            } else {
                append(to, e);
            }
        }
        sizes[s] = kept;
        if (a != null && a.length > 64 && kept < a.length / 4) {
            slots[s] = Arrays.copyOf(a, Math.max(16, kept * 2));
        }
        return due;
    }

    private void place(Entry e, long tick) {
        append(slotOf(tick), e);
    }

    private void append(int s, Entry e) {
        Entry[] a = slots[s];
        int n = sizes[s];
        if (a == null) {
            a = slots[s] = new Entry[8];
        } else if (n == a.length) {
            a = slots[s] = Arrays.copyOf(a, n * 2);
        }
        a[n] = e;
        e.slot = s;
        e.index = n;
        sizes[s] = n + 1;
    }

    private void stop() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private static long tick(long nanos) {
        return Math.floorDiv(nanos, TICK_NANOS);
    }

    private static int slotOf(long tick) {
        return (int) Math.floorMod(tick, (long) SLOTS);
    }
}
