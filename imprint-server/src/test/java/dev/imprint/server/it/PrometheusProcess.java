package dev.imprint.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus (Debian's {@code prometheus}) for a test: its own config and data folder, its
 * web API on {@value #ADDRESS} (an address nothing else in the suite binds), stopped by its PID.
 */
final class PrometheusProcess implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/prometheus");
    static final String ADDRESS = "127.0.13.1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final String api;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private PrometheusProcess(Process process, String api) {
        this.process = process;
        this.api = api;
    }

    /**
     * Starts Prometheus scraping {@code metrics} (an https URL) every second, trusting only {@code rootCa}
     * (the endpoint asks for no client certificate).
     */
    static PrometheusProcess scraping(URI metrics, Path rootCa, Path dir) throws IOException {
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: imprint
                    scheme: https
                    metrics_path: %s
                    tls_config:
                      ca_file: %s
                    static_configs:
                      - targets: ['%s:%d']
                """.formatted(metrics.getPath(), rootCa.toAbsolutePath(), metrics.getHost(), metrics.getPort()));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(ADDRESS))) {
            port = s.getLocalPort();
        }
        Process p = new ProcessBuilder(BINARY.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=" + ADDRESS + ":" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        return new PrometheusProcess(p, "http://" + ADDRESS + ":" + port + "/api/v1/query?query=");
    }

    /** The first sample's value of an instant query ({@code /api/v1/query}); empty when it matches nothing. Asserts a 200 (a PromQL error is a 400). */
    Optional<Double> value(String query) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api + URLEncoder.encode(query, StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s -> %s", query, r.body()).isEqualTo(200);
        JsonNode result = JSON.readTree(r.body()).path("data").path("result");
        return result.isEmpty() ? Optional.empty() : Optional.of(Double.parseDouble(result.get(0).path("value").get(1).asText()));
    }

    /** Stops it by its PID: SIGTERM, then SIGKILL when it does not end in time. */
    @Override
    public void close() throws InterruptedException {
        ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroy);
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
