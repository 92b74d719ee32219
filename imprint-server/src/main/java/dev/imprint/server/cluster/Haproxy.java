package dev.imprint.server.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Debian's HAProxy run on the generated {@code <data>/haproxy.cfg}: checked with {@code -c}
 * first, then started as a daemon ({@code -D}) writing its PID to {@code <data>/run/haproxy.pid}.
 * A daemon, so that it outlives {@code imprint cluster up} and a Ctrl-C in its terminal;
 * recorded as an {@link OwnProcess}, so that {@code cluster down} stops it by PID.
 */
final class Haproxy {
    static final Path DEFAULT_BINARY = Path.of("/usr/sbin/haproxy");
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(30);

    private final Path binary;
    private final Path config;
    private final Path pidFile;

    Haproxy(Path binary, Path data) {
        this.binary = binary;
        this.config = data.resolve("haproxy.cfg");
        this.pidFile = data.resolve("run").resolve("haproxy.pid");
    }

    /** @throws IllegalStateException saying how to install it */
    static Path binary(Path override) {
        Path b = override != null ? override : DEFAULT_BINARY;
        if (!Files.isExecutable(b)) {
            throw new IllegalStateException("HAProxy not found at " + b + ": install it (apt-get install haproxy) or pass --haproxy PATH");
        }
        return b;
    }

    /** Writes the configuration and checks it with {@code haproxy -c}; the checker's complaints in the message. */
    void write(String text) throws IOException, InterruptedException {
        Files.writeString(config, text, StandardCharsets.UTF_8);
        Exec.Result r = Exec.run(List.of(binary.toString(), "-c", "-q", "-f", config.toString()), TOOL_TIMEOUT);
        if (!r.ok()) {
            throw new IllegalStateException("HAProxy refuses " + config + " (haproxy -c exit " + r.exit() + "):\n" + r.output().strip());
        }
    }

    /** Starts the daemon; it is running (or has failed with HAProxy's message) when this returns. */
    OwnProcess start() throws IOException, InterruptedException {
        Files.createDirectories(pidFile.getParent());
        Files.deleteIfExists(pidFile);
        List<String> command = List.of(binary.toString(), "-D", "-p", pidFile.toString(), "-f", config.toString());
        Exec.Result r = Exec.run(command, TOOL_TIMEOUT);
        if (!r.ok()) {
            throw new IllegalStateException("HAProxy did not start (exit " + r.exit() + "): " + r.output().strip()
                    + (r.output().contains("cannot bind") ? "\n  another process listens on one of the frontends above" : ""));
        }
        long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).trim().lines().findFirst().orElse("-1"));
        OwnProcess p = OwnProcess.of(pid, command);
        if (p == null) {
            throw new IllegalStateException("HAProxy exited right after starting (pid " + pid + ")");
        }
        return p;
    }
}
