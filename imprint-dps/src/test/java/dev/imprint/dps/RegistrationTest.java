package dev.imprint.dps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.ca.hierarchy.CaHierarchy;
import dev.imprint.dps.enrollment.Enrollment;
import dev.imprint.dps.enrollment.ReprovisionPolicy;
import dev.imprint.dps.registration.Operation;
import dev.imprint.dps.registration.RegistrationRequest;
import dev.imprint.dps.registration.Registrar;
import dev.imprint.pki.Pem;
import dev.imprint.store.DeviceRecord;
import dev.imprint.store.RegistrationEvent;
import dev.imprint.testkit.TestPki;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registration pipeline without a transport, on a real CA and store: attestation refusals
 * each with its reason code, enrollments, reprovisioning under each policy, operational
 * certificates from a CSR. (One CA for the class: creating the hierarchy takes seconds.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RegistrationTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    DpsFixture f;
    ProvisioningService dps;
    TestPki other;
    int n;

    @BeforeAll
    void start() {
        f = new DpsFixture(dir);
        other = TestPki.create("CN=Other Root", "CN=Other Devices CA");
        // the operational CA is an anchor too, with no enrollment: its devices must get NO_ENROLLMENT
        dps = ProvisioningService.create(f.settings()
                .withAnchors(List.of(f.manufacturing(), f.ca.hierarchy().issuer(CaHierarchy.OPERATIONAL)))
                .withRateLimits(0, 3), f.store, f.issuer());
        dps.ensureDefaults(f.manufacturing());
    }

    @AfterAll
    void stop() {
        dps.close();
        f.close();
    }

    @BeforeEach
    void nextId() {
        n++;
    }

    String id(String base) {
        return base + "-" + n;
    }

    Operation register(DpsFixture.Device d) {
        return register(d.id(), d.tlsChain(), null);
    }

    Operation register(String id, List<X509Certificate> chain, byte[] csr) {
        return dps.registrar().register(new RegistrationRequest(id, null, null, csr, chain));
    }

    String refusal(String id, List<X509Certificate> chain) {
        DpsException e = catchThrowableOfType(DpsException.class, () -> register(id, chain, null));
        assertThat(e).as("refused").isNotNull();
        return e.reason();
    }

    @Test
    void assigns_a_factory_device_to_a_default_hub() {
        DpsFixture.Device d = f.device(id("dev"));
        Operation op = register(d);
        assertThat(op.status()).isEqualTo("assigned");
        assertThat(op.hub()).isIn("127.0.0.3", "127.0.0.4");
        assertThat(op.substatus()).isEqualTo("initialAssignment");
        assertThat(dps.registrar().status(d.id(), op.operationId(), d.tlsChain())).isEqualTo(op);
    }

    @Test
    void refuses_a_revoked_certificate() {
        DpsFixture.Device d = f.device(id("revoked"));
        f.ca.revocation().revoke(d.cert().getSerialNumber().toString(16), 1, "test");
        assertThat(refusal(d.id(), d.tlsChain())).isEqualTo("REVOKED");
        List<RegistrationEvent> h = f.store.deviceRegistry().history(d.id(), 5, 0);
        assertThat(h).extracting(RegistrationEvent::errorCode).containsExactly("REVOKED");
    }

    @Test
    void refuses_a_device_of_a_ca_with_no_enrollment() {
        DpsFixture.Device d = f.device(id("operational"), CaHierarchy.OPERATIONAL);
        assertThat(refusal(d.id(), d.tlsChain())).isEqualTo("NO_ENROLLMENT");
    }

    @Test
    void refuses_a_device_of_a_foreign_ca() {
        TestPki.Issued d = other.device(id("foreign"));
        assertThat(refusal(id("foreign"), chain(d))).isEqualTo("UNKNOWN_ISSUER");
        assertThat(f.store.deviceRegistry().history(id("foreign"), 5, 0)).as("a stranger writes nothing").isEmpty();
    }

    @Test
    void refuses_an_expired_certificate_of_an_enrolled_ca() {
        addGroup(id("other-group"), other.intermediate(), null, "hashed", JSON.createObjectNode(), List.of(), ReprovisionPolicy.NEVER);
        TestPki.Issued good = other.device(id("other-ok"));
        assertThat(register(id("other-ok"), chain(good), null).status()).isEqualTo("assigned");
        TestPki.Issued expired = other.expiredDevice(id("expired"));
        assertThat(refusal(id("expired"), chain(expired))).isEqualTo("EXPIRED");
    }

    @Test
    void refuses_a_registration_id_that_is_not_the_certificates() {
        DpsFixture.Device d = f.device(id("real"));
        assertThat(refusal(id("someone-else"), d.tlsChain())).isEqualTo("REGISTRATION_ID_MISMATCH");
        DpsException body = catchThrowableOfType(DpsException.class,
                () -> dps.registrar().register(new RegistrationRequest(d.id(), "other", null, null, d.tlsChain())));
        assertThat(body.reason()).isEqualTo("REGISTRATION_ID_MISMATCH");
    }

    @Test
    void a_registration_id_with_cr_lf_is_logged_as_one_escaped_line() {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                dev.imprint.dps.registration.Registrar.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines = new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        log.addAppender(lines);
        try {
            DpsFixture.Device d = f.device(id("crlf"));
            String forged = id("crlf") + "\r\n2026-12-06T00:00:00Z level=ERROR event=dps.assigned registrationId=victim \"";
            assertThat(refusal(forged, d.tlsChain())).isEqualTo("REGISTRATION_ID_MISMATCH");
            assertThat(refusal(forged, List.of())).as("anonymous: its chosen ID is not logged at all").isEqualTo("CLIENT_CERT_REQUIRED");
            assertThat(lines.list).hasSize(2).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("\n", "\r"));
            assertThat(lines.list.get(0).getFormattedMessage()).contains("\\r\\n2026-12-06T00:00:00Z level=ERROR").contains("victim \\\"");
            assertThat(lines.list.get(1).getFormattedMessage()).doesNotContain("victim");
        } finally {
            log.detachAppender(lines);
        }
    }

    @Test
    void refuses_without_a_client_certificate_and_writes_nothing_under_the_chosen_id() {
        assertThat(refusal(id("nobody"), List.of())).isEqualTo("CLIENT_CERT_REQUIRED");
        assertThat(f.store.deviceRegistry().history(id("nobody"), 5, 0)).isEmpty();
    }

    @Test
    void an_id_mismatch_is_recorded_against_the_device_that_asked_not_the_id_it_named() {
        DpsFixture.Device d = f.device(id("asker"));
        assertThat(refusal(id("named"), d.tlsChain())).isEqualTo("REGISTRATION_ID_MISMATCH");
        assertThat(f.store.deviceRegistry().history(id("named"), 5, 0)).isEmpty();
        assertThat(f.store.deviceRegistry().history(d.id(), 5, 0)).extracting(RegistrationEvent::errorCode)
                .containsExactly("REGISTRATION_ID_MISMATCH");
    }

    @Test
    void the_service_wide_budget_is_charged_only_after_attestation() {
        // 1 registration/s for the service over 1000 live nodes: this node may admit one, then none for 1000 s
        try (ProvisioningService limited = ProvisioningService.create(f.settings().withRateLimits(1, 0)
                .withLiveDpsNodes(() -> 1000), f.store, f.issuer())) {
            Registrar r = limited.registrar();
            for (int i = 0; i < 5; i++) {
                assertThat(reason(r, id("anon"), List.of())).isEqualTo("CLIENT_CERT_REQUIRED");
                assertThat(reason(r, id("stranger"), chain(other.device(id("stranger"))))).isEqualTo("UNKNOWN_ISSUER");
            }
            DpsFixture.Device first = f.device(id("budget-1"));
            assertThat(r.register(new RegistrationRequest(first.id(), null, null, null, first.tlsChain())).status())
                    .as("ten refused strangers spent nothing").isEqualTo("assigned");
            DpsFixture.Device second = f.device(id("budget-2"));
            assertThat(reason(r, second.id(), second.tlsChain())).as("the attested device spent the one token").isEqualTo("RATE_LIMITED");
            assertThat(reason(r, id("anon"), List.of())).as("strangers are refused for who they are, not for the budget")
                    .isEqualTo("CLIENT_CERT_REQUIRED");
        }
    }

    private static String reason(Registrar r, String id, List<X509Certificate> chain) {
        DpsException e = catchThrowableOfType(DpsException.class, () -> r.register(new RegistrationRequest(id, null, null, null, chain)));
        assertThat(e).as("refused").isNotNull();
        return e.reason();
    }

    @Test
    void disabled_enrollment_answers_disabled_with_its_reason() {
        String name = id("group-disabled");
        addGroup(name, f.manufacturing(), "disabled-.*", "hashed", JSON.createObjectNode(), List.of(), ReprovisionPolicy.NEVER);
        dps.enrollments().setEnabled(name, false);
        DpsFixture.Device d = f.device("disabled-" + n);
        Operation op = register(d);
        assertThat(op.status()).isEqualTo("disabled");
        assertThat(op.reason()).isEqualTo("ENROLLMENT_DISABLED");
        assertThat(op.errorCode()).isPositive();
        assertThat(f.store.deviceRegistry().find(d.id())).isEmpty();
    }

    @Test
    void over_the_per_device_rate_limit_is_429_with_retry_after() {
        DpsFixture.Device d = f.device(id("eager"));
        for (int i = 0; i < 3; i++) {
            assertThat(register(d).status()).isEqualTo("assigned");
        }
        DpsException e = catchThrowableOfType(DpsException.class, () -> register(d));
        assertThat(e.reason()).isEqualTo("RATE_LIMITED");
        assertThat(e.httpStatus()).isEqualTo(429);
        assertThat(e.retryAfterSeconds()).isBetween(1, 60);
    }

    @Test
    void individual_enrollment_overrides_the_group() {
        DpsFixture.Device d = f.device(id("vip"));
        Instant now = Instant.now();
        dps.enrollments().add(new Enrollment(id("vip-enrollment"), Enrollment.Kind.INDIVIDUAL, null, null, d.id(), "static",
                JSON.createObjectNode().put("hub", "hub-2"), List.of(), tags("vip", true), JSON.createObjectNode(),
                ReprovisionPolicy.NEVER, true, now, now));
        Operation op = register(d);
        assertThat(op.hub()).isEqualTo("127.0.0.4");
        DeviceRecord r = f.store.deviceRegistry().find(d.id()).orElseThrow();
        assertThat(r.enrollment()).isEqualTo(id("vip-enrollment"));
        assertThat(r.tagsJson()).contains("vip");
    }

    @Test
    void reprovision_and_migrate_moves_the_device_and_keeps_its_state() {
        Reprovisioned r = reprovision(ReprovisionPolicy.REPROVISION_AND_MIGRATE);
        assertThat(r.second.hub()).isEqualTo("hub-2");
        assertThat(r.second.substatus()).isEqualTo("deviceDataMigrated");
        assertThat(r.second.tagsJson()).isEqualTo("{\"generation\":1}");
        assertThat(r.second.createdAt()).isEqualTo(r.first.createdAt());
        // the hub holding its old session is told (the hook the server wires to the hubs' back end)
        assertThat(r.moved).containsExactly(r.second.deviceId());
    }

    @Test
    void reprovision_and_reset_moves_the_device_and_resets_its_state() {
        Reprovisioned r = reprovision(ReprovisionPolicy.REPROVISION_AND_RESET);
        assertThat(r.second.hub()).isEqualTo("hub-2");
        assertThat(r.second.substatus()).isEqualTo("deviceDataReset");
        assertThat(r.second.tagsJson()).isEqualTo("{\"generation\":2}");
    }

    @Test
    void never_reprovision_keeps_the_device_on_its_hub() {
        Reprovisioned r = reprovision(ReprovisionPolicy.NEVER);
        assertThat(r.second.hub()).isEqualTo("hub-1");
        assertThat(r.moved).isEmpty();
        assertThat(r.second.substatus()).isEqualTo("initialAssignment");
        assertThat(r.second.tagsJson()).isEqualTo("{\"generation\":1}");
    }

    @Test
    void registering_again_on_the_same_hub_is_reprovisioned_to_initial_assignment() {
        DpsFixture.Device d = f.device(id("again"));
        String hub = register(d).hub();
        Operation again = register(d);
        assertThat(again.hub()).isEqualTo(hub);
        assertThat(again.substatus()).isEqualTo("reprovisionedToInitialAssignment");
    }

    @Test
    void a_registration_with_a_csr_returns_an_operational_certificate() throws Exception {
        DpsFixture.Device d = f.device(id("with-csr"));
        var newKey = dev.imprint.pki.KeyAlgorithm.EC_P256.generate();
        Operation op = register(d.id(), d.tlsChain(), DpsFixture.csr(newKey, d.id()));
        assertThat(op.status()).isEqualTo("assigned");
        assertThat(op.issuedChain()).hasSizeGreaterThanOrEqualTo(2);
        X509Certificate issued = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(op.issuedChain().get(0))));
        assertThat(issued.getSubjectX500Principal().getName()).contains("CN=" + d.id());
        assertThat(issued.getIssuerX500Principal()).isEqualTo(f.ca.hierarchy().issuer(CaHierarchy.OPERATIONAL).getSubjectX500Principal());
        assertThat(issued.getPublicKey()).isEqualTo(newKey.getPublic());
    }

    @Test
    void a_csr_for_another_identity_fails_the_registration_with_csr_refused() {
        DpsFixture.Device d = f.device(id("csr-thief"));
        Operation op = register(d.id(), d.tlsChain(), DpsFixture.csr(dev.imprint.pki.KeyAlgorithm.EC_P256.generate(), "victim"));
        assertThat(op.status()).isEqualTo("failed");
        assertThat(op.reason()).isEqualTo("CSR_REFUSED");
    }

    private record Reprovisioned(DeviceRecord first, DeviceRecord second, List<String> moved) {}

    /** Registers on hub-1 with generation-1 state, re-points the enrollment at hub-2 with generation 2, registers again. */
    private Reprovisioned reprovision(ReprovisionPolicy policy) {
        String prefix = "rp" + n + "-";
        String name = id("reprovision");
        addGroup(name, f.manufacturing(), prefix + ".*", "static", JSON.createObjectNode().put("hub", "hub-1"), List.of(), policy);
        DpsFixture.Device d = f.device(prefix + "device");
        Enrollment e = dps.enrollments().find(name).orElseThrow();
        e = new Enrollment(e.name(), e.kind(), e.ca(), e.idPattern(), null, "static", e.allocationSettings(), e.hubs(),
                tags("generation", 1), e.desired(), policy, true, e.createdAt(), Instant.now());
        dps.enrollments().update(e);
        List<String> moved = new java.util.concurrent.CopyOnWriteArrayList<>();
        dps.onChanges(moved::add, () -> { });
        register(d);
        DeviceRecord first = f.store.deviceRegistry().find(d.id()).orElseThrow();
        assertThat(first.hub()).isEqualTo("hub-1");
        dps.enrollments().update(new Enrollment(e.name(), e.kind(), e.ca(), e.idPattern(), null, "static",
                JSON.createObjectNode().put("hub", "hub-2"), e.hubs(), tags("generation", 2), e.desired(), policy, true,
                e.createdAt(), Instant.now()));
        register(d);
        return new Reprovisioned(first, f.store.deviceRegistry().find(d.id()).orElseThrow(), List.copyOf(moved));
    }

    private void addGroup(String name, X509Certificate ca, String pattern, String policy, ObjectNode settings, List<String> hubs,
            ReprovisionPolicy rp) {
        Instant now = Instant.now();
        dps.enrollments().add(new Enrollment(name, Enrollment.Kind.GROUP, ca, pattern == null ? null : java.util.regex.Pattern.compile(pattern),
                null, policy, settings, hubs, JSON.createObjectNode(), JSON.createObjectNode(), rp, true, now, now));
    }

    private static ObjectNode tags(String k, Object v) {
        ObjectNode o = JSON.createObjectNode();
        o.set(k, JSON.valueToTree(v));
        return o;
    }

    private static List<X509Certificate> chain(TestPki.Issued d) {
        List<X509Certificate> c = new ArrayList<>();
        c.add(d.cert());
        c.addAll(d.chain());
        return c;
    }

    static String pem(X509Certificate c) {
        return Pem.write(c);
    }
}
