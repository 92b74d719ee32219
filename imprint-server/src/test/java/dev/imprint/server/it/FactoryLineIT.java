package dev.imprint.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.pki.Pem;
import dev.imprint.server.up.Node;
import dev.imprint.store.CertificateRecord;
import dev.imprint.store.LedgerEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The factory line against a running CA (in process): 1,000 simulated devices, ledger, openssl verify. */
class FactoryLineIT {
    @TempDir
    static Path data;
    @TempDir
    static Path work;
    static Map<String, String> env;
    static Node server;

    @BeforeAll
    static void up() throws Exception {
        env = Fixture.env();
        server = Fixture.start(data, env);
    }

    @AfterAll
    static void down() {
        if (server != null) {
            server.close();
        }
    }

    static Path station(String name) {
        return stationIn(work, data, name);
    }

    /** Creates a station whose ID range is NAME-nnnnnnnn and writes its credential to work/NAME. */
    static Path stationIn(Path work, Path data, String name) {
        Path dir = work.resolve(name);
        var r = Fixture.cli("station", "create", name, "--ids", name + "-[0-9]{8}", "--out", dir.toString(), "--data", data.toString());
        assertThat(r.code()).as(r.all()).isZero();
        return dir;
    }

    @Test
    @Timeout(120)
    void provisions_1000_simulated_devices_with_ledger_and_verifiable_certificates() throws Exception {
        Path st = station("line1");
        var run = Fixture.cli("factory", "run", "--station", st.toString(), "--bus", "sim", "--count", "1000", "--batch", "b1",
                "--parallel", "16", "--data", data.toString(), "--plain");
        assertThat(run.code()).as(run.all()).isZero();
        assertThat(run.out()).contains("provisioned 1000 this run (1000/1000 in the batch), refused 0");

        List<LedgerEntry> ledger = server.store().ledger().list("b1", 5000, 0);
        assertThat(ledger).hasSize(1000);
        Set<String> serials = new HashSet<>();
        Set<String> ids = new HashSet<>();
        List<String> files = new ArrayList<>();
        Path certs = Files.createDirectories(work.resolve("certs"));
        for (LedgerEntry e : ledger) {
            serials.add(e.serialHex());
            ids.add(e.deviceId());
            assertThat(e.station()).isEqualTo("line1");
            assertThat(e.deviceId()).matches("line1-[0-9]{8}");
            CertificateRecord c = server.store().certificates().findBySerial(e.serialHex()).orElseThrow();
            assertThat(c.deviceId()).isEqualTo(e.deviceId());
            var x = Pem.readCertificates(Pem.write(cert(c.der()))).get(0);
            assertThat(e.keyFingerprint()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(x.getPublicKey().getEncoded())));
            Path f = certs.resolve(e.deviceId() + ".pem");
            Files.writeString(f, Pem.write(x));
            files.add(f.getFileName().toString());
        }
        assertThat(serials).hasSize(1000);
        assertThat(ids).hasSize(1000);
        // no certificate for any device beyond the 1,000 (nothing issued twice)
        assertThat(server.store().certificates().list(null, 5000, 0).stream().filter(c -> c.deviceId().startsWith("line1-")).count())
                .isEqualTo(1000);

        Path root = Path.of(server.endpoints().trust());
        Path inter = certs.resolve("manufacturing.crt");
        Files.writeString(inter, Pem.write(server.authority().hierarchy().issuer("manufacturing")));
        List<String> cmd = new ArrayList<>(List.of("openssl", "verify", "-CAfile", root.toString(), "-untrusted", inter.toString()));
        cmd.addAll(files);
        var v = Fixture.ok(certs, cmd.toArray(String[]::new));
        assertThat(v.out().lines().filter(l -> l.endsWith(": OK")).count()).as(v.all()).isEqualTo(1000);

        var csv = Fixture.cli("ledger", "export", "--batch", "b1", "--format", "csv", "--data", data.toString());
        assertThat(csv.code()).as(csv.all()).isZero();
        assertThat(csv.out().lines().count()).isEqualTo(1001);
        var json = Fixture.cli("ledger", "export", "--batch", "b1", "--format", "json", "--data", data.toString());
        assertThat(json.code()).as(json.all()).isZero();
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out()).size()).isEqualTo(1000);
        var list = Fixture.cli("ledger", "list", "--batch", "b1", "--limit", "5", "--data", data.toString());
        assertThat(list.out()).contains("5 of 1000 entries");

        // the same command again: the batch is complete, nothing more is issued
        var again = Fixture.cli("factory", "run", "--station", st.toString(), "--bus", "sim", "--count", "1000", "--batch", "b1",
                "--parallel", "16", "--data", data.toString(), "--plain");
        assertThat(again.code()).as(again.all()).isZero();
        assertThat(server.store().ledger().count("b1")).isEqualTo(1000);
    }

    static java.security.cert.X509Certificate cert(byte[] der) throws Exception {
        return (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(der));
    }
}
