package dev.imprint.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.imprint.server.up.Node;
import dev.imprint.store.CertificateRecord;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The network between station and CA loses answers mid-batch: every connection open at that
 * moment stops delivering what the CA sends. The CA has issued certificates whose answers never
 * arrive; the station must find them through the CA's lookup (or enroll again when nothing was
 * issued) and finish the batch with one certificate per device, instead of stopping the line.
 */
class FactoryLostAnswerIT {
    @TempDir
    static Path data;
    @TempDir
    static Path work;
    static Node server;
    static FreezingProxy proxy;

    @BeforeAll
    static void up() throws Exception {
        Map<String, String> env = Fixture.env();
        server = Fixture.start(data, env);
        proxy = new FreezingProxy(URI.create(server.endpoints().est()).getPort());
    }

    @AfterAll
    static void down() {
        if (proxy != null) {
            proxy.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Timeout(120)
    void finishes_the_batch_without_duplicates_when_the_cas_answers_are_lost() throws Exception {
        Path st = FactoryLineIT.stationIn(work, data, "lossy");
        String est = "https://127.0.0.1:" + proxy.port() + URI.create(server.endpoints().est()).getPath();
        int count = 400;
        CompletableFuture<Fixture.Run> run = CompletableFuture.supplyAsync(() -> Fixture.cli("factory", "run", "--station", st.toString(),
                "--bus", "sim", "--count", Integer.toString(count), "--batch", "lossy", "--parallel", "16", "--est", est,
                "--ca-timeout", "1", "--data", data.toString(), "--plain"));
        await().atMost(Duration.ofSeconds(60)).until(() -> server.store().ledger().count("lossy") >= 50 || run.isDone());
        int frozen = proxy.freeze();
        Fixture.Run r = run.get(90, TimeUnit.SECONDS);

        assertThat(frozen).isPositive();
        assertThat(proxy.swallowed.get()).as("answers were lost").isPositive();
        assertThat(r.code()).as(r.all()).isZero();
        assertThat(r.out()).contains("(" + count + "/" + count + " in the batch)");
        assertThat(server.store().ledger().count("lossy")).isEqualTo(count);
        var issued = server.store().certificates().list(null, 10_000, 0).stream()
                .filter(c -> c.deviceId().startsWith("lossy-")).toList();
        Set<String> ids = issued.stream().map(CertificateRecord::deviceId).collect(Collectors.toSet());
        assertThat(issued).as("one certificate per device, none issued twice").hasSize(count);
        assertThat(ids).hasSize(count);
    }
}
