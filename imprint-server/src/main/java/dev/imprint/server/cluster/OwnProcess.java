package dev.imprint.server.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A process this launcher started, recorded so that a later command signals it and nothing else.
 *
 * <p>Why the start time and the whole command line: a PID is reused once the process is gone.
 * Before any signal, {@code /proc/PID/stat} must show the recorded start time (clock ticks since
 * boot) and {@code /proc/PID/cmdline} the recorded arguments (behind a {@code setsid} that has not
 * yet replaced itself); else the PID belongs to someone else now and is left alone.
 *
 * @param pid the process ID
 * @param startTicks its start time in clock ticks after boot, field 22 of /proc/PID/stat
 * @param command its arguments as started
 */
public record OwnProcess(long pid, long startTicks, List<String> command) {
    private static final Path PROC = Path.of("/proc");

    public OwnProcess {
        command = List.copyOf(command);
    }

    /** Records the running process {@code pid}, started with {@code command}; null when it is already gone. */
    public static OwnProcess of(long pid, List<String> command) {
        long ticks = startTicks(pid);
        return ticks < 0 ? null : new OwnProcess(pid, ticks, command);
    }

    /** Whether the recorded process still runs (same start time, same arguments; a zombie does not run). */
    public boolean alive() {
        if (startTicks(pid) != startTicks) {
            return false;
        }
        List<String> args = cmdline(pid);
        if (args.equals(command)) {
            return true;
        }
        // started through setsid(1), which execs the command in place a moment later
        return args.size() == command.size() + 1 && Path.of(args.get(0)).getFileName().toString().equals("setsid")
                && args.subList(1, args.size()).equals(command);
    }

    /** SIGTERM when it still is ours; false when it was not running. */
    public boolean terminate() {
        return alive() && ProcessHandle.of(pid).map(ProcessHandle::destroy).orElse(false);
    }

    /** SIGKILL when it still is ours; false when it was not running. */
    public boolean kill() {
        return alive() && ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false);
    }

    /** Waits up to {@code timeout} for the process to end; true when it has. */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (alive()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50); // polling a process that is not our child: no handle to wait on
        }
        return true;
    }

    /** SIGTERM, up to {@code grace} to end, then SIGKILL; true when it ran and has ended. */
    public boolean stop(Duration grace) throws InterruptedException {
        if (!terminate()) {
            return false;
        }
        if (!awaitExit(grace)) {
            kill();
            awaitExit(Duration.ofSeconds(5));
        }
        return true;
    }

    static long startTicks(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.US_ASCII);
            // the command name in parentheses may hold spaces: fields count from the last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            if (f[0].equals("Z") || f[0].equals("X")) {
                return -1;
            }
            return Long.parseLong(f[19]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static List<String> cmdline(long pid) {
        try {
            byte[] raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"));
            List<String> args = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            return args;
        } catch (IOException e) {
            return List.of();
        }
    }
}
