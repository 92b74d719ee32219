package dev.imprint.server.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short-lived tool (initdb, pg_ctl, haproxy -c) to its end, bounded in time.
 *
 * <p>Why output goes to a file, not a pipe: {@code pg_ctl start} and {@code haproxy -D} leave a
 * daemon behind that may inherit the descriptors; reading a pipe to its end would then wait for
 * the daemon instead of the tool.
 */
final class Exec {
    /** How a tool ended: its exit code and what it printed. */
    record Result(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }
    }

    private Exec() {}

    static Result run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Path out = Files.createTempFile("imprint-exec", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                return new Result(-1, command.get(0) + " did not finish within " + timeout.toSeconds() + " s\n" + Files.readString(out));
            }
            return new Result(p.exitValue(), Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** {@code command} run as the user {@code user} through runuser(1) when we are root, else as we are. */
    static List<String> as(String user, List<String> command) {
        if (!root()) {
            return command;
        }
        List<String> out = new ArrayList<>(List.of("runuser", "-u", user, "--"));
        out.addAll(command);
        return out;
    }

    static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }
}
