package dev.imprint.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.pki.validation.CertificateValidator;
import dev.imprint.pki.validation.PossessionProof;
import dev.imprint.pki.validation.RevocationSource;
import dev.imprint.pki.validation.ValidationRequest;
import dev.imprint.pki.validation.Verdict;
import dev.imprint.testkit.ClientTls;
import dev.imprint.testkit.TestPki;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The CONNECT budgets over real TLS with a real client (Paho): a stranger with a certificate of
 * its own making, typing a device's client ID, never spends that device's budget; the device's
 * own reconnect loop still does.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConnectBudgetIT {
    static final int PER_MINUTE = 3;
    static final int REFUSED_PER_MINUTE = 5;

    final TestPki pki = TestPki.create();
    /** Same subjects, its own root: what anyone can make with openssl in a minute. */
    final TestPki forger = TestPki.foreignWithSameSubjects(pki);
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    MqttTlsServer server;

    @BeforeEach
    void start() {
        TestPki.Issued serverCert = pki.cert("CN=mqtt.budget.test", pki.issuingCa()).dns("mqtt.budget.test")
                .eku("1.3.6.1.5.5.7.3.1").issueLeaf();
        CertificateValidator validator = CertificateValidator.builder().trustAnchor(pki.root()).revocation(RevocationSource.NONE).build();
        server = MqttTlsServer.builder()
                .name("budget-it")
                .bind("127.0.0.1", 0)
                .ioThreads(1)
                .tls(ServerTls.create(serverCert.key().getPrivate(), serverCert.chain(), true))
                .validator(chain -> validator.validate(ValidationRequest.builder().chain(chain).possession(PossessionProof.tlsHandshake()).build()))
                .limits(ConnectionLimits.defaults().withConnectsPerClientIdPerMinute(PER_MINUTE))
                .refusedConnectsPerSourcePerMinute(REFUSED_PER_MINUTE)
                .application((req, conn) -> CompletableFuture.completedFuture(req.verdict() instanceof Verdict.Refused r
                        ? ConnectOutcome.refuse(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, r.reason().name(), r.detail())
                        : ConnectOutcome.accept(new MqttSession() {
                            public java.util.concurrent.CompletionStage<Void> onPublish(String t, int q, byte[] p) {
                                return CompletableFuture.completedFuture(null);
                            }

                            public List<Integer> onSubscribe(List<Subscription> f) {
                                return f.stream().map(x -> 0).toList();
                            }

                            public void onUnsubscribe(List<String> f) {}

                            public void onClose(String reason) {}
                        })))
                .meters(meters)
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    double count(String reason) {
        var c = meters.find("imprint.mqtt.disconnects").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    /** Connects and disconnects; the CONNACK code (0 accepted). */
    int connect(TestPki trust, TestPki.Issued cert, String clientId) throws Exception {
        MqttClient c = new MqttClient("ssl://127.0.0.1:" + server.port(), clientId, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setSocketFactory(ClientTls.context(cert.key().getPrivate(), cert.chain(), pki.root()).getSocketFactory());
        o.setHttpsHostnameVerificationEnabled(false);
        o.setConnectionTimeout(10);
        o.setAutomaticReconnect(false);
        // one attempt per connect (Paho's default would retry a refusal with MQTT 3.1)
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        try {
            c.connect(o);
            c.disconnect();
            return 0;
        } catch (MqttException e) {
            return e.getReasonCode();
        } finally {
            c.close(true);
        }
    }

    @Test
    void forged_connects_with_a_victims_client_id_leave_the_victims_budget_untouched() throws Exception {
        TestPki.Issued forged = forger.device("dev-1");
        int flood = 30;
        long start = System.nanoTime();
        for (int i = 0; i < flood; i++) {
            assertThat(connect(forger, forged, "dev-1")).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
        }
        // the refused budget refills too (REFUSED_PER_MINUTE a minute): allow for what the flood's own duration gave back
        long refilled = (System.nanoTime() - start) * REFUSED_PER_MINUTE / 60_000_000_000L;
        double heard = count("BAD_SIGNATURE");
        assertThat(heard).as("the application heard only the refused budget's worth").isBetween((double) REFUSED_PER_MINUTE,
                (double) REFUSED_PER_MINUTE + refilled + 1);
        assertThat(count("REFUSED_RATE_LIMITED")).isEqualTo(flood - heard);
        assertThat(count("RATE_LIMITED")).isZero();

        TestPki.Issued real = pki.device("dev-1");
        assertThat(connect(pki, real, "dev-1")).as("the real device connects after the flood").isZero();
    }

    @Test
    void the_real_devices_reconnect_loop_is_still_rate_limited() throws Exception {
        TestPki.Issued real = pki.device("dev-2");
        for (int i = 0; i < PER_MINUTE; i++) {
            assertThat(connect(pki, real, "dev-2")).isZero();
        }
        assertThat(connect(pki, real, "dev-2")).isEqualTo(MqttException.REASON_CODE_BROKER_UNAVAILABLE);
        assertThat(count("RATE_LIMITED")).isEqualTo(1);
        assertThat(connect(pki, pki.device("dev-3"), "dev-3")).as("another device is not affected").isZero();
    }
}
