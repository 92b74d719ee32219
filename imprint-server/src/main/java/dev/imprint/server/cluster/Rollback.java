package dev.imprint.server.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code cluster up} has started so far, as steps that stop it: run in reverse order when
 * the start fails or is interrupted (Ctrl-C runs them from a shutdown hook), dropped when it
 * succeeds. Thread-safe: once rolled back, a step added late (a process that was starting while
 * the hook ran) is run at once, so nothing started is left behind.
 */
final class Rollback {
    private final List<Runnable> steps = new ArrayList<>();
    private boolean closed;

    /** Records how to stop something just started; stops it at once when the rollback already ran. */
    synchronized void add(Runnable step) {
        if (closed) {
            step.run();
            throw new IllegalStateException("interrupted");
        }
        steps.add(step);
    }

    /** Runs every step, newest first; true when this call ran them (false after a commit or an earlier run). */
    synchronized boolean run() {
        if (closed) {
            return false;
        }
        closed = true;
        for (int i = steps.size() - 1; i >= 0; i--) {
            steps.get(i).run();
        }
        steps.clear();
        return true;
    }

    /** Everything started: nothing to stop any more. */
    synchronized void commit() {
        closed = true;
        steps.clear();
    }
}
