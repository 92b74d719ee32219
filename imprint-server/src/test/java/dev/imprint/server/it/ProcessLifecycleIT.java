package dev.imprint.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar imprint.jar up} as users run it: prints its endpoints, stops cleanly on SIGTERM. */
class ProcessLifecycleIT {
    @TempDir
    Path data;
    @TempDir
    Path logs;

    @Test
    void up_prints_endpoints_and_stops_cleanly_on_sigterm() throws Exception {
        Map<String, String> env = Fixture.env();
        try (ServerProcess p = ServerProcess.start(data, env, logs)) {
            JsonNode e = new ObjectMapper().readTree(data.resolve("endpoints.json").toFile());
            assertThat(e.path("pki").asText()).isEqualTo("http://127.0.0.1:" + env.get("IMPRINT_PKI_PORT"));
            assertThat(p.output()).contains("Imprint is up").contains(e.path("est").asText());
            var listed = Fixture.cli("station", "list", "--data", data.toString());
            assertThat(listed.code()).as(listed.all()).isZero();

            p.process.destroy(); // SIGTERM
            assertThat(p.process.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s").isTrue();
            assertThat(p.process.exitValue()).as(p.output()).isZero();
            assertThat(ProcessHandle.of(p.pid())).isEmpty();
            assertThat(p.output()).contains("event=stopped");
        }
        var after = Fixture.cli("station", "list", "--data", data.toString());
        assertThat(after.code()).isEqualTo(3);
        assertThat(after.err()).contains("not running");
    }
}
