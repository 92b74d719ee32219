package dev.imprint.ca.issuance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.ca.CaException.Reason;
import dev.imprint.ca.Credential;
import dev.imprint.ca.hierarchy.IssuingCa;
import dev.imprint.pki.CryptoProviders;
import dev.imprint.store.CertificateRecord;
import dev.imprint.store.JdbcStore;
import dev.imprint.testkit.TestPki;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Credentials for Imprint's own parties: names checked, SAN and EKU per kind, validity clamped, recorded. No CA folder. */
class ServiceIssuerTest {
    @TempDir
    static Path tmp;
    static TestPki pki;
    static JdbcStore store;
    static Recorder recorder;
    static IssuingCa ca;

    @BeforeAll
    static void open() {
        CryptoProviders.install();
        pki = TestPki.create();
        store = JdbcStore.sqlite(tmp.resolve("service.db"));
        recorder = new Recorder(store, null);
        TestPki.Ca issuing = pki.issuingCa();
        ca = new IssuingCa("service", issuing.cert(), issuing.key().getPrivate(), CryptoProviders.bouncyCastle(),
                List.of(issuing.cert(), pki.root()));
    }

    @AfterAll
    static void close() {
        recorder.close();
        store.close();
    }

    private static ServiceIssuer issuer(Duration validity) {
        return new ServiceIssuer(ca, "http://pki.example", recorder, validity);
    }

    private static List<String> sanOf(X509Certificate c) throws Exception {
        return c.getSubjectAlternativeNames().stream().map(l -> l.get(0) + ":" + l.get(1)).toList();
    }

    @Test
    void each_party_gets_its_urn_client_auth_and_a_record() throws Exception {
        ServiceIssuer s = issuer(Duration.ofDays(30));
        record Kind(String kind, String urn, Credential cred) {}
        for (Kind k : List.of(
                new Kind("station", DeviceIds.STATION_URN, s.station("line-9", "admin:t")),
                new Kind("admin", DeviceIds.ADMIN_URN, s.admin("alice", "admin:t")),
                new Kind("operator", DeviceIds.OPERATOR_URN, s.operator("bob", "admin:t")),
                new Kind("node", DeviceIds.NODE_URN, s.node("node-2", "admin:t")))) {
            X509Certificate c = k.cred().certificate();
            c.verify(pki.intermediate().getPublicKey());
            assertThat(sanOf(c)).hasSize(1).allMatch(n -> n.startsWith("6:" + k.urn()));
            assertThat(c.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
            assertThat(k.cred().chain()).isEqualTo(ca.chain());
            CertificateRecord r = store.certificates().findBySerial(Serials.hex(c.getSerialNumber())).orElseThrow();
            assertThat(r.kind()).isEqualTo(k.kind());
            assertThat(r.keyFingerprint()).isEqualTo(HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(c.getPublicKey().getEncoded())));
            assertThat(k.cred().key().getAlgorithm()).isEqualTo("EC");
        }
    }

    @Test
    void names_outside_the_alphabet_are_refused() {
        ServiceIssuer s = issuer(Duration.ofDays(30));
        CsrRulesTest.refused(() -> s.station("line 9", "admin:t"), Reason.BAD_REQUEST);
        CsrRulesTest.refused(() -> s.admin("", "admin:t"), Reason.BAD_REQUEST);
        CsrRulesTest.refused(() -> s.server("web/1", List.of("a.example"), List.of(), "admin:t"), Reason.BAD_REQUEST);
    }

    @Test
    void a_server_gets_its_dns_names_and_addresses_and_both_ekus() throws Exception {
        ServiceIssuer s = issuer(Duration.ofDays(30));
        X509Certificate c = s.server("web-1", List.of("imprint.example", "*.hub.example"), List.of("127.0.20.1", "255.0.0.0", "::1"),
                "admin:t").certificate();
        assertThat(sanOf(c)).containsExactly("2:imprint.example", "2:*.hub.example", "7:127.0.20.1", "7:255.0.0.0", "7:0:0:0:0:0:0:0:1");
        assertThat(c.getExtendedKeyUsage()).containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(store.certificates().findBySerial(Serials.hex(c.getSerialNumber())).orElseThrow().kind()).isEqualTo("server");
    }

    @Test
    void a_server_name_or_address_that_is_not_one_is_refused() {
        ServiceIssuer s = issuer(Duration.ofDays(30));
        for (String bad : List.of("-a.example", "a..example", "a_b.example", "a.example.", "")) {
            CsrRulesTest.refused(() -> s.server("web-1", List.of(bad), List.of(), "admin:t"), Reason.BAD_REQUEST);
        }
        for (String bad : List.of("256.1.1.1", "1.256.1.1", "1.1.256.1", "1.1.1.256", "1.2.3", "example", "1:2:3:4:5:6:7:8:9", "g::1")) {
            CsrRulesTest.refused(() -> s.server("web-1", List.of(), List.of(bad), "admin:t"), Reason.BAD_REQUEST);
        }
        CsrRulesTest.refused(() -> s.server("web-1", List.of(), List.of(), "admin:t"), Reason.BAD_REQUEST);
    }

    @Test
    void validity_is_as_configured_and_never_past_the_issuer() {
        Instant now = Instant.now();
        Instant end = issuer(Duration.ofDays(30)).station("line-10", "admin:t").certificate().getNotAfter().toInstant();
        assertThat(end).isBetween(now.plus(Duration.ofDays(30)).minusSeconds(5), now.plus(Duration.ofDays(30)).plusSeconds(5));
        Instant clamped = issuer(Duration.ofDays(365 * 200)).station("line-11", "admin:t").certificate().getNotAfter().toInstant();
        assertThat(clamped).isEqualTo(pki.intermediate().getNotAfter().toInstant());
    }
}
