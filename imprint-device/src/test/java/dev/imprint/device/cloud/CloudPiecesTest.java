package dev.imprint.device.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imprint.device.DeviceKey;
import dev.imprint.device.FolderState;
import dev.imprint.device.OperationalState;
import dev.imprint.pki.CryptoProviders;
import dev.imprint.testkit.TestPki;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK's pieces that need no server: configuration, state folder, reason codes, chains. */
class CloudPiecesTest {
    static TestPki pki;

    @BeforeAll
    static void pki() {
        CryptoProviders.install();
        pki = TestPki.create();
    }

    @Test
    void cloud_config_survives_a_save_and_load(@TempDir Path dir) throws Exception {
        CloudConfig c = new CloudConfig(URI.create("https://127.0.0.1:9443"), "0neABC", URI.create("https://127.0.0.1:8443/.well-known/est"),
                List.of(pki.root()), Map.of("127.0.0.3", URI.create("mqtts://127.0.0.3:18883")));
        c.save(dir.resolve(CloudConfig.FILE));
        CloudConfig back = CloudConfig.load(dir.resolve(CloudConfig.FILE));
        assertThat(back.idScope()).isEqualTo("0neABC");
        assertThat(back.trust()).containsExactly(pki.root());
        assertThat(back.hubEndpoint("127.0.0.3")).isEqualTo(URI.create("mqtts://127.0.0.3:18883"));
        // a hub not listed is reached as Azure devices reach it: port 8883
        assertThat(back.hubEndpoint("hub.example.com")).isEqualTo(URI.create("mqtts://hub.example.com:8883"));
    }

    @Test
    void refuses_a_cloud_config_without_trust(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("cloud.json"), "{\"dps\":\"https://x.example:1\",\"idScope\":\"s\"}");
        assertThatThrownBy(() -> CloudConfig.load(dir.resolve("cloud.json"))).hasMessageContaining("trust");
    }

    @Test
    void folder_keeps_the_operational_identity_beside_the_factory_one(@TempDir Path dir) {
        FolderState f = new FolderState(dir);
        assertThat(f.operational()).isEmpty();
        TestPki.Issued op = pki.device("dev-1");
        DeviceKey key = DeviceKey.of(new KeyPair(op.cert().getPublicKey(), op.key().getPrivate()));
        f.saveOperational(new OperationalState.Operational(key, op.chain(), "127.0.0.3"));
        OperationalState.Operational back = new FolderState(dir).operational().orElseThrow();
        assertThat(back.hubHostname()).isEqualTo("127.0.0.3");
        assertThat(back.chain().get(0)).isEqualTo(op.cert());
        assertThat(back.key().matches(op.cert().getPublicKey())).isTrue();
        // the factory key is a different file: rotation never touches it
        assertThat(Files.exists(dir.resolve("device.key"))).isFalse();
    }

    @Test
    void back_off_grows_from_the_minimum_and_never_passes_the_maximum() {
        Backoff b = new Backoff(java.time.Duration.ofMillis(250), java.time.Duration.ofSeconds(30));
        for (int i = 0; i < 200; i++) {
            assertThat(b.next(0)).isEqualTo(java.time.Duration.ofMillis(250)); // the first wait: the minimum, no room for jitter
            assertThat(b.next(2).toMillis()).isBetween(250L, 1000L);
            assertThat(b.next(40).toMillis()).isBetween(250L, 30_000L); // a shift past 16 is capped, not overflowed
        }
    }

    @Test
    void reason_codes_come_from_the_server_message() {
        assertThat(DpsClient.codeOf("REVOKED: certificate revoked at ...", "FAILED")).isEqualTo("REVOKED");
        assertThat(DpsClient.codeOf("something else", "FAILED")).isEqualTo("FAILED");
        assertThat(DpsClient.codeOf(null, "FAILED")).isEqualTo("FAILED");
    }

    @Test
    void est_answer_is_ordered_leaf_first() {
        TestPki.Issued d = pki.device("dev-2");
        List<java.security.cert.X509Certificate> bag = List.of(pki.root(), d.cert(), pki.intermediate());
        assertThat(EstClient.leafFirst(bag)).containsExactly(d.cert(), pki.intermediate(), pki.root());
    }

    @Test
    void wraps_failures_in_stable_codes() {
        assertThat(CloudException.of(new java.util.concurrent.CompletionException(new java.net.ConnectException("refused"))).code())
                .isEqualTo("UNREACHABLE");
        assertThat(CloudException.of(new javax.net.ssl.SSLHandshakeException("bad")).code()).isEqualTo("TLS_FAILED");
        assertThat(CloudException.of(new java.util.concurrent.TimeoutException()).code()).isEqualTo("TIMEOUT");
        CloudException r = CloudException.refused("REVOKED", "x");
        assertThat(CloudException.of(new java.util.concurrent.ExecutionException(r))).isSameAs(r);
        assertThat(r.permanent()).isTrue();
        assertThat(new String("ok".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEqualTo("ok");
    }
}
