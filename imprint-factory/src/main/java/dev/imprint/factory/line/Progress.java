package dev.imprint.factory.line;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The line's progress: a bar with rate and ETA redrawn in place on a terminal, plain lines
 * (one per second) otherwise, so logs and CI output stay readable.
 */
public final class Progress implements AutoCloseable {
    private final PrintWriter out;
    private final boolean terminal;
    private final int target;
    private final int before;
    private final long started = System.nanoTime();
    final AtomicInteger provisioned = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    private final Thread ticker;
    private volatile boolean closed;

    /** @param target devices to provision in this run (0 = open-ended); @param before already provisioned in earlier runs */
    public Progress(PrintWriter out, boolean terminal, int target, int before) {
        this.out = out;
        this.terminal = terminal;
        this.target = target;
        this.before = before;
        this.ticker = new Thread(this::tick, "imprint-progress");
        ticker.setDaemon(true);
        ticker.start();
    }

    private void tick() {
        while (!closed) {
            try {
                Thread.sleep(terminal ? 200 : 1000);
            } catch (InterruptedException e) {
                return;
            }
            if (!closed) {
                print(false);
            }
        }
    }

    public int provisioned() {
        return provisioned.get();
    }

    public int refused() {
        return refused.get();
    }

    public double rate() {
        double s = (System.nanoTime() - started) / 1e9;
        return s <= 0 ? 0 : provisioned.get() / s;
    }

    public double seconds() {
        return (System.nanoTime() - started) / 1e9;
    }

    synchronized void print(boolean last) {
        int done = provisioned.get();
        double rate = rate();
        String eta = target <= 0 || rate <= 0 ? "-" : duration((target - done) / rate);
        String count = target > 0 ? (before + done) + "/" + (before + target) : Integer.toString(before + done);
        if (terminal) {
            int width = 30;
            int filled = target > 0 ? (int) Math.min(width, (long) width * done / target) : 0;
            out.printf("\r[%s%s] %s  %.0f/s  ETA %s  refused %d%s", "#".repeat(filled), ".".repeat(width - filled), count, rate, eta,
                    refused.get(), last ? "\n" : "");
        } else {
            out.printf("progress provisioned=%s refused=%d rate=%.0f/s eta=%s%n", count, refused.get(), rate, eta);
        }
        out.flush();
    }

    private static String duration(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
    }

    @Override
    public void close() {
        closed = true;
        ticker.interrupt();
        print(true);
    }
}
