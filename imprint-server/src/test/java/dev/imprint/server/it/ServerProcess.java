package dev.imprint.server.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A real {@code java -jar imprint.jar up} process on a data folder; its output goes to a log file there. */
final class ServerProcess implements AutoCloseable {
    final Process process;
    final Path log;

    private ServerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static ServerProcess start(Path data, Map<String, String> env, Path logDir) throws Exception {
        return start(data, env, logDir, Duration.ofSeconds(60));
    }

    /** @param within how long the first start (the CA hierarchy made) may take on a loaded machine */
    static ServerProcess start(Path data, Map<String, String> env, Path logDir, Duration within) throws Exception {
        if (!Files.exists(Fixture.JAR)) {
            throw new IllegalStateException(Fixture.JAR + " missing: run the tests with 'mvn verify' (package builds it)");
        }
        Files.deleteIfExists(data.resolve("endpoints.json"));
        Path log = Files.createTempFile(logDir, "imprint-up", ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Dimprint.keyFile.iterations=1000", "-Xmx512m", "-jar", Fixture.JAR.toString(), "up", "--data", data.toString()));
        pb.environment().putAll(env);
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        ServerProcess p = new ServerProcess(pb.start(), log);
        p.awaitHealthy(env, data, within);
        return p;
    }

    private void awaitHealthy(Map<String, String> env, Path data, Duration within) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        URI health = URI.create("http://127.0.0.1:" + env.get("IMPRINT_PKI_PORT") + "/health");
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("imprint up exited " + process.exitValue() + ":\n" + output());
            }
            try {
                if (Files.exists(data.resolve("endpoints.json"))
                        && http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // keep polling
            }
            Thread.sleep(100);
        }
        process.destroyForcibly();
        throw new IllegalStateException("imprint up did not become healthy:\n" + output());
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
