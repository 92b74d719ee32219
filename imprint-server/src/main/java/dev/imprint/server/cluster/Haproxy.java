package dev.imprint.server.cluster;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

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

    /** The stats socket in {@code <data>/run}; null when its path is too long for a Unix socket (108 bytes). */
    static Path statsSocket(Path data) {
        Path s = data.resolve("run").resolve("haproxy.sock");
        return s.toString().getBytes(StandardCharsets.UTF_8).length < 100 ? s : null;
    }

    /**
     * HAProxy's own view of every server ({@code show stat} on the stats socket): node name to
     * its distinct states over the backends, e.g. {@code UP} or {@code DOWN}; empty when there is no answer.
     */
    static Map<String, String> serverStates(Path data) {
        Path socket = statsSocket(data);
        if (socket == null || !Files.exists(socket)) {
            return Map.of();
        }
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ch.write(ByteBuffer.wrap("show stat\n".getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream csv = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (ch.read(buf) > 0) { // HAProxy closes after one command
                csv.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            return parseStats(csv.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Map.of();
        }
    }

    /** From HAProxy's CSV stats: server name to its distinct states, e.g. {@code UP} or {@code DOWN,UP}. */
    static Map<String, String> parseStats(String csv) {
        List<String> lines = csv.lines().toList();
        if (lines.isEmpty() || !lines.get(0).startsWith("# ")) {
            return Map.of();
        }
        List<String> header = Arrays.asList(lines.get(0).substring(2).split(","));
        int sv = header.indexOf("svname");
        int status = header.indexOf("status");
        Map<String, TreeSet<String>> byNode = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (f.length <= Math.max(sv, status) || f[sv].equals("FRONTEND") || f[sv].equals("BACKEND")) {
                continue;
            }
            byNode.computeIfAbsent(f[sv], k -> new TreeSet<>()).add(f[status].split(" ")[0]);
        }
        Map<String, String> out = new LinkedHashMap<>();
        byNode.forEach((k, v) -> out.put(k, String.join(",", v)));
        return out;
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
