package dev.imprint.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.server.up.Node;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JDK TLS engine (the fallback where BoringSSL cannot load) serves EST and the admin API the same way. */
class JdkEngineIT {
    @TempDir
    Path data;
    @TempDir
    Path work;

    @Test
    void jdk_engine_enrolls_with_curl_and_serves_the_admin_cli() throws Exception {
        Map<String, String> env = Fixture.env();
        env.put("IMPRINT_HTTPS_ENGINE", "jdk");
        try (Node server = Fixture.start(data, env)) {
            assertThat(server.tlsEngine()).isEqualTo("jdk");
            var created = Fixture.cli("station", "create", "j1", "--ids", "j-[0-9]+", "--out", work.resolve("st").toString(), "--data", data.toString());
            assertThat(created.code()).as(created.all()).isZero();
            Fixture.ok(work, "openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", "dev.key", "-subj", "/CN=j-1", "-outform", "DER", "-out", "dev.csr");
            Fixture.ok(work, "sh", "-c", "base64 dev.csr > dev.b64");
            Fixture.Run r = Fixture.exec(work, "curl", "-sS", "--cacert", server.endpoints().trust(),
                    "--cert", work.resolve("st/station.crt").toString(), "--key", work.resolve("st/station.key").toString(),
                    "-H", "Content-Type: application/pkcs10", "--data-binary", "@dev.b64", "-o", "out.b64", "-w", "%{http_code}",
                    server.endpoints().est() + "/simpleenroll");
            assertThat(r.out()).as(r.all()).isEqualTo("200");
            Fixture.Run none = Fixture.exec(work, "curl", "-sS", "--cacert", server.endpoints().trust(), "-o", "err.json", "-w", "%{http_code}",
                    "-H", "Content-Type: application/pkcs10", "--data-binary", "@dev.b64", server.endpoints().est() + "/simpleenroll");
            assertThat(none.out()).isEqualTo("401");
            assertThat(Fixture.cli("cert", "list", "--device", "j-1", "--data", data.toString()).out()).contains("j-1");
        }
    }
}
