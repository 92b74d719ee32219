package dev.imprint.cluster;

import java.util.concurrent.ScheduledThreadPoolExecutor;

/** The one-thread executors of the cluster parts: daemon threads, so that a forgotten close never holds the JVM. */
final class ClusterThreads {
    private ClusterThreads() {
    }

    /** One named daemon thread; delayed tasks are dropped at shutdown. */
    static ScheduledThreadPoolExecutor single(String name) {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, name);
            th.setDaemon(true);
            return th;
        });
        t.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return t;
    }
}
