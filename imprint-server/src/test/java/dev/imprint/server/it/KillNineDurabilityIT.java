package dev.imprint.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.pki.KeyAlgorithm;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 2 point 6: kill -9 of the server during a stream of enrollments, then restart: every
 * certificate a client received is in the store, no serial is used twice, the CRL number never
 * goes back.
 */
class KillNineDurabilityIT {
    private static final int THREADS = 6;
    @TempDir
    Path data;
    @TempDir
    Path work;

    @Test
    void every_certificate_a_client_received_survives_kill_9() throws Exception {
        Map<String, String> env = Fixture.env();
        ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
        long crlBefore;
        try (ServerProcess p = ServerProcess.start(data, env, work)) {
            var created = Fixture.cli("station", "create", "dur", "--ids", "dur-.*", "--out", work.resolve("st").toString(), "--data", data.toString());
            assertThat(created.code()).as(created.all()).isZero();
            var endpoints = dev.imprint.server.up.Endpoints.read(data);
            HttpClient station = Fixture.https(Path.of(endpoints.trust()), work.resolve("st/station.crt"), work.resolve("st/station.key"));
            URI enroll = URI.create(endpoints.est() + "/simpleenroll");

            // one revocation first, so there is a CRL number worth comparing
            String first = enroll(station, enroll, "dur-first");
            assertThat(Fixture.cli("cert", "revoke", "--serial", first, "--data", data.toString()).code()).isZero();
            Thread.sleep(1200);
            crlBefore = crlNumber(endpoints.pki());

            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger ids = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                Thread worker = new Thread(() -> {
                    while (!stop.get()) {
                        try {
                            received.add(enroll(station, enroll, "dur-" + ids.incrementAndGet()));
                        } catch (Exception e) {
                            if (!p.process.isAlive()) {
                                return;
                            }
                        }
                    }
                });
                worker.setDaemon(true);
                worker.start();
                threads.add(worker);
            }
            long deadline = System.nanoTime() + 15_000_000_000L;
            while (received.size() < 300 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            p.process.destroyForcibly(); // SIGKILL to the PID we started, mid-stream
            p.process.waitFor();
            stop.set(true);
            for (Thread t : threads) {
                t.join(10_000);
            }
        }
        assertThat(received).as("certificates received before the kill").hasSizeGreaterThan(50);

        try (ServerProcess again = ServerProcess.start(data, env, work)) {
            assertThat(again.process.isAlive()).isTrue();
            var listed = Fixture.cli("cert", "list", "--json", "--limit", "10000", "--data", data.toString());
            assertThat(listed.code()).as(listed.all()).isZero();
            JsonNode list = new ObjectMapper().readTree(listed.out());
            List<String> serials = new ArrayList<>();
            list.forEach(c -> serials.add(c.path("serial").asText()));
            Set<String> unique = new HashSet<>(serials);
            assertThat(unique).as("no serial twice").hasSameSizeAs(serials);
            assertThat(unique).as("every certificate a client received is recorded").containsAll(received);
            assertThat(crlNumber(dev.imprint.server.up.Endpoints.read(data).pki())).as("CRL number never goes back").isGreaterThanOrEqualTo(crlBefore);
        }
    }

    static String enroll(HttpClient http, URI uri, String deviceId) throws Exception {
        KeyPair kp = KeyAlgorithm.EC_P256.generate();
        byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=" + deviceId), kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/pkcs10")
                .header("Content-Transfer-Encoding", "base64")
                .POST(HttpRequest.BodyPublishers.ofString(Base64.getEncoder().encodeToString(csr))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + r.statusCode() + ": " + new String(r.body()));
        }
        byte[] p7 = Base64.getMimeDecoder().decode(r.body());
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(p7))) {
            X509Certificate x = (X509Certificate) c;
            if (x.getBasicConstraints() < 0) {
                return x.getSerialNumber().toString(16);
            }
        }
        throw new IllegalStateException("no device certificate in the response");
    }

    private static long crlNumber(String pki) throws Exception {
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(pki + "/crl/manufacturing.crl")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        X509CRL crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(r.body()));
        byte[] ext = crl.getExtensionValue(Extension.cRLNumber.getId());
        byte[] inner = org.bouncycastle.asn1.ASN1OctetString.getInstance(ext).getOctets();
        BigInteger n = ASN1Integer.getInstance(inner).getValue();
        return n.longValueExact();
    }
}
