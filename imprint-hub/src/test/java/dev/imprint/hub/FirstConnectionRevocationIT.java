package dev.imprint.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.pki.validation.RevocationSource;
import dev.imprint.pki.validation.RevocationStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A revocation committed after a connection's certificate was validated but before the hub
 * admitted it, on the hub's first connection from that CA: the hub follows the CA's revocation
 * log from where it stood before the hub bound, so the session still ends (by the backstop poll,
 * no doorbell rung). Had it started from the seq read at admission, it would live on.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FirstConnectionRevocationIT {
    @TempDir
    Path dir;

    @Test
    void revocation_between_validation_and_admission_of_the_first_connection_still_ends_the_session() throws Exception {
        AtomicReference<String> revokeAfterCheck = new AtomicReference<>();
        AtomicReference<HubFixture> fixture = new AtomicReference<>();
        // good at validation, then revoked straight in the store (as a CA in another process would, no listener, no doorbell)
        UnaryOperator<RevocationSource> racing = real -> (cert, issuer, at) -> {
            RevocationStatus status = real.status(cert, issuer, at);
            String serial = cert.getSerialNumber().toString(16);
            if (serial.equals(revokeAfterCheck.get())) {
                fixture.get().store.certificates().revoke(serial, 1, Instant.now());
            }
            return status;
        };
        try (HubFixture fx = new HubFixture(dir, "127.0.16.1", "hub-race", List.of(), UnaryOperator.identity(), racing)) {
            fixture.set(fx);
            HubFixture.Device d = fx.device("race-first");
            revokeAfterCheck.set(d.serial());
            PahoHubIT.Conn c = new PahoHubIT.Conn("127.0.16.1", d.id(), fx.ssl(d));
            try {
                assertThat(fx.store.certificates().findBySerial(d.serial()).orElseThrow().revoked()).isTrue();
                // the backstop poll runs every 5 s (HubSettings.of)
                assertThat(c.lost.await(15, TimeUnit.SECONDS)).isTrue();
                assertThat(fx.disconnects("REVOKED")).isEqualTo(1);
            } finally {
                c.close();
            }
        }
    }
}
