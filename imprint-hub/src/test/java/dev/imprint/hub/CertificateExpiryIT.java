package dev.imprint.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session lives no longer than its certificate (issue 6, point 6): the hub closes it at the
 * certificate's notAfter, which forces the device to rotate, and the expired certificate is
 * refused from then on; one that expires between its validation and the session's admission is closed
 * by the same once-a-second sweep. Own hub on 127.0.0.16 with a CA whose operational certificates live a few seconds.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CertificateExpiryIT {
    static final String HOST = "127.0.0.16";
    /** Long enough to connect and publish; X.509 times have whole seconds, so notAfter may be up to 1 s earlier. */
    static final Duration LIFETIME = Duration.ofSeconds(4);

    @Test
    void session_is_closed_when_its_certificate_expires_and_the_expired_certificate_is_refused(@TempDir Path dir) throws Exception {
        try (HubFixture fx = new HubFixture(dir, HOST, "hub-expiry", List.of(),
                s -> s.withValidity(s.manufacturingValidity(), LIFETIME))) {
            HubFixture.Device d = fx.issue("expiring-1", "operational");
            fx.register(d.id(), fx.hub.name(), d.serial());
            Instant notAfter = d.chain().get(0).getNotAfter().toInstant();
            assertThat(notAfter).isBefore(Instant.now().plus(LIFETIME).plusSeconds(1));

            PahoHubIT.Conn c = new PahoHubIT.Conn(HOST, d.id(), fx.ssl(d));
            try {
                // a live, working session while the certificate is valid
                assertThat(Instant.now()).isBefore(notAfter);
                c.client.publish("devices/expiring-1/messages/events/", "alive".getBytes(StandardCharsets.UTF_8), 1, false);
                assertThat(fx.backend.device(d.id()).connected()).isTrue();
                assertThat(c.lost.getCount()).isEqualTo(1);

                // closed when the certificate stops being valid (end of notAfter's second): not before notAfter
                // (100 ms between clocks), within 2 s after it
                long waitMs = Duration.between(Instant.now(), notAfter).toMillis() + 2_000;
                assertThat(c.lost.await(waitMs, TimeUnit.MILLISECONDS)).as("connectionLost by notAfter + 2 s").isTrue();
                assertThat(c.lostAt).isAfterOrEqualTo(notAfter.minusMillis(100)).isBefore(notAfter.plusSeconds(2));
                assertThat(fx.disconnects("CERTIFICATE_EXPIRED")).isEqualTo(1);
                await().atMost(Duration.ofSeconds(2)).until(() -> !fx.backend.device(d.id()).connected());
            } finally {
                c.close();
            }

            // the same, now expired, certificate: CONNACK refused, the validator's reason EXPIRED counted
            double expiredBefore = fx.disconnects("EXPIRED");
            int code;
            try {
                new PahoHubIT.Conn(HOST, d.id(), fx.ssl(d)).close();
                code = 0;
            } catch (MqttException e) {
                code = e.getReasonCode();
            }
            assertThat(code).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
            assertThat(fx.disconnects("EXPIRED")).isEqualTo(expiredBefore + 1);
            assertThat(fx.disconnects("CERTIFICATE_EXPIRED")).isEqualTo(1);

            // the race the validator cannot see: valid when validated, expired when admitted. Nothing
            // special at admission: the next expiry sweep (once a second) closes it as CERTIFICATE_EXPIRED
            fx.validatorClock.advance(Duration.between(Instant.now(), notAfter.minusSeconds(1)));
            long admittedAt = System.nanoTime();
            try {
                PahoHubIT.Conn late = new PahoHubIT.Conn(HOST, d.id(), fx.ssl(d));
                try {
                    assertThat(late.lost.await(3, TimeUnit.SECONDS)).as("closed by the sweep").isTrue();
                } finally {
                    late.close();
                }
            } catch (MqttException sweptBeforeTheConnack) {
                // the sweep came between the admission and its CONNACK: closed all the same
            }
            await().atMost(Duration.ofSeconds(3)).until(() -> fx.disconnects("CERTIFICATE_EXPIRED") == 2);
            // within the sweep's second; 3 s allowed for a loaded machine
            assertThat(Duration.ofNanos(System.nanoTime() - admittedAt)).isLessThan(Duration.ofSeconds(3));
            assertThat(fx.disconnects("EXPIRED")).as("the validator accepted it").isEqualTo(expiredBefore + 1);
            await().atMost(Duration.ofSeconds(2)).until(() -> !fx.backend.device(d.id()).connected());
        }
    }
}
