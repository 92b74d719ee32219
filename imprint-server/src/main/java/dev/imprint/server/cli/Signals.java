package dev.imprint.server.cli;

/**
 * Turns SIGTERM/SIGINT into {@code System.exit(0)}: shutdown hooks still run (they stop the
 * server cleanly), and a requested stop ends with exit code 0 rather than 143.
 */
final class Signals {
    private Signals() {}

    @SuppressWarnings("restriction")
    static void exitZeroOn(String... names) {
        for (String name : names) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> new Thread(() -> System.exit(0), "imprint-signal").start());
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // signal not available here: the JVM's default handling (hooks, exit 128+n) applies
            }
        }
    }
}
