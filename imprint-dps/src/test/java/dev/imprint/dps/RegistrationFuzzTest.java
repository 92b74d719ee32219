package dev.imprint.dps;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.imprint.dps.protocol.Wire;
import dev.imprint.dps.registration.Operation;
import dev.imprint.dps.registration.Registrar;
import dev.imprint.pki.KeyAlgorithm;
import dev.imprint.testkit.FuzzFrames;
import dev.imprint.testkit.TempDirs;
import dev.imprint.testkit.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The DPS HTTPS device API below the router: the registration ID and operation ID from the
 * path, the register body, and the caller's TLS chain (a factory device, none, a foreign one),
 * through {@link Wire} and the real {@link Registrar} on a real CA and SQLite store. Input frames:
 * caller, registration ID, body, operation ID. Every answer is an operation or a DPS error with
 * its reason code (never INTERNAL_ERROR, never another exception), and an operation is only ever
 * the caller's own.
 */
class RegistrationFuzzTest {
    static final Path DIR = TempDirs.create("dps-fuzz");
    static final DpsFixture F = new DpsFixture(DIR);
    static final ProvisioningService DPS = ProvisioningService.create(F.settings().withRateLimits(0, 0), F.store, F.issuer());
    static final Registrar REGISTRAR = DPS.registrar();
    static final List<DpsFixture.Device> DEVICES = List.of(F.device("dev-a"), F.device("dev-b"));
    static final List<X509Certificate> FOREIGN = TestPki.create().device("dev-a").chain();

    static {
        DPS.ensureDefaults(F.manufacturing());
    }

    /** Real requests, made now: a bare body, one with a JSON payload, one with the payload as a string, one with a CSR (base64 and PEM). */
    static Stream<byte[]> seeds() {
        String csr = Base64.getEncoder().encodeToString(DpsFixture.csr(KeyAlgorithm.EC_P256.generate(), "dev-a"));
        return Stream.of(
                request(0, "dev-a", "{\"registrationId\":\"dev-a\"}", "op-1"),
                request(0, "dev-a", "{\"registrationId\":\"dev-a\",\"payload\":{\"model\":\"m1\",\"fw\":[1,2]}}", ""),
                request(1, "dev-b", "{\"registrationId\":\"dev-b\",\"payload\":\"{\\\"a\\\":1}\"}", "x"),
                request(0, "dev-a", "{\"registrationId\":\"dev-a\",\"csr\":\"" + csr + "\"}", "op"),
                request(0, "dev-a", "{\"registrationId\":\"dev-a\",\"csr\":\"-----BEGIN CERTIFICATE REQUEST-----\\n" + csr
                        + "\\n-----END CERTIFICATE REQUEST-----\"}", "op"),
                request(2, "dev-a", "{}", "op"),
                request(3, "dev-a", "", "op"));
    }

    @MethodSource("seeds")
    @FuzzTest
    void any_path_and_body_is_an_own_operation_or_a_reason(byte[] data) {
        List<byte[]> f = FuzzFrames.split(data, 4);
        if (f.size() < 2 || f.get(0).length == 0) {
            return;
        }
        int caller = f.get(0)[0] & 3;
        List<X509Certificate> chain = switch (caller) {
            case 0, 1 -> DEVICES.get(caller).tlsChain();
            case 2 -> List.of();
            default -> FOREIGN;
        };
        String own = caller <= 1 ? DEVICES.get(caller).id() : null;
        String id = text(f.get(1));
        byte[] body = f.size() > 2 ? f.get(2) : new byte[0];
        String opId = f.size() > 3 ? text(f.get(3)) : "";
        try {
            Operation op = REGISTRAR.register(Wire.registerRequest(id, body, chain));
            assertThat(own).as("an operation for a caller without a device certificate").isNotNull();
            assertThat(op.registrationId()).isEqualTo(own);
            assertThat(Wire.assigning(op).toString()).isNotEmpty();
        } catch (DpsException e) {
            decided(e);
        }
        try {
            Operation op = REGISTRAR.status(id, opId, chain);
            assertThat(own).as("an operation status for a caller without a device certificate").isNotNull();
            assertThat(op.registrationId()).as("another device's operation").isEqualTo(own);
            assertThat(Wire.status(op).toString()).isNotEmpty();
        } catch (DpsException e) {
            decided(e);
        }
    }

    private static void decided(DpsException e) {
        assertThat(e.reason()).as(e.getMessage()).isNotNull().isNotEqualTo(DpsReason.INTERNAL_ERROR.name());
        assertThat(e.httpStatus()).as(e.reason()).isBetween(400, 503).isNotEqualTo(500);
        assertThat(Wire.error(e).toString()).isNotEmpty();
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static byte[] request(int caller, String id, String body, String opId) {
        return FuzzFrames.join(new byte[] {(byte) caller}, id.getBytes(StandardCharsets.UTF_8),
                body.getBytes(StandardCharsets.UTF_8), opId.getBytes(StandardCharsets.UTF_8));
    }


    @AfterAll
    static void close() throws IOException {
        DPS.close();
        F.close();
        TempDirs.delete(DIR);
    }
}
