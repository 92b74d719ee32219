package dev.imprint.dps.protocol.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.imprint.dps.DpsFixture;
import dev.imprint.dps.ProvisioningService;
import dev.imprint.mqtt.ConnectionLimits;
import dev.imprint.mqtt.Disconnector;
import dev.imprint.mqtt.MqttPipelineForTests;
import dev.imprint.pki.validation.Verdict;
import dev.imprint.testkit.TempDirs;
import dev.imprint.testkit.TestPki;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Delayed;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The DPS MQTT device API as a device's TLS stream reaches it: Netty's decoder and encoder, the
 * hub's {@link MqttConnectionHandler} and {@link DpsMqttApplication} with the real registrar on a
 * real CA and SQLite store. The first input byte picks the certificate (even: a factory device,
 * odd: a foreign one); the rest is the stream. Every close carries a reason code, nothing the
 * server writes is malformed, and no answer is a 500.
 */
class DpsMqttFuzzTest {
    static final Path DIR = TempDirs.create("dps-mqtt-fuzz");
    static final DpsFixture F = new DpsFixture(DIR);
    static final ProvisioningService DPS = ProvisioningService.create(F.settings().withRateLimits(0, 0), F.store, F.issuer());
    static final DpsFixture.Device DEVICE = F.device("dev-m");
    static final Verdict ACCEPTED = DPS.registrar().attestation().verdict(DEVICE.tlsChain());
    static final Verdict REFUSED = DPS.registrar().attestation().verdict(TestPki.create().device("dev-m").chain());
    static final ConnectionLimits LIMITS = ConnectionLimits.defaults().withMaxMessageBytes(64 * 1024)
            .withConnectsPerClientIdPerMinute(1_000_000);
    static final Set<String> UNDECIDED = Set.of("CONNECTION_LOST", "INTERNAL_ERROR");
    static final ThreadPoolExecutor WORKERS = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
    static final ScheduledThreadPoolExecutor TIMER = new ScheduledThreadPoolExecutor(1);
    static final DpsMqttApplication APP = new DpsMqttApplication(DpsFixture.ID_SCOPE, DPS.registrar(), WORKERS, TIMER, 1);
    static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();

    static {
        DPS.ensureDefaults(F.manufacturing());
    }

    /** Real sessions, encoded now by Netty's encoder as the Azure SDK sends them: connect, subscribe, register, poll. */
    static Stream<byte[]> seeds() {
        String user = DpsFixture.ID_SCOPE + "/registrations/dev-m/api-version=2021-06-01&ClientVersion=fuzz";
        MqttMessage connect = MqttMessageBuilders.connect().clientId("dev-m").username(user)
                .protocolVersion(MqttVersion.MQTT_3_1_1).cleanSession(true).keepAlive(60).build();
        MqttMessage subscribe = MqttMessageBuilders.subscribe().messageId(1)
                .addSubscription(MqttQoS.AT_LEAST_ONCE, DpsMqttApplication.RESPONSES).build();
        MqttMessage register = MqttMessageBuilders.publish().topicName(DpsMqttApplication.REGISTER + "?$rid=1").qos(MqttQoS.AT_MOST_ONCE)
                .payload(Unpooled.wrappedBuffer("{\"registrationId\":\"dev-m\",\"payload\":{\"m\":1}}".getBytes(StandardCharsets.UTF_8))).build();
        MqttMessage poll = MqttMessageBuilders.publish().topicName(DpsMqttApplication.STATUS + "?$rid=2&operationId=op-x")
                .qos(MqttQoS.AT_MOST_ONCE).payload(Unpooled.EMPTY_BUFFER).build();
        return Stream.of(
                MqttPipelineForTests.encoded(0, connect, subscribe, register, poll, MqttMessage.DISCONNECT),
                MqttPipelineForTests.encoded(1, connect, subscribe, register),
                MqttPipelineForTests.encoded(0, connect, poll));
    }

    @MethodSource("seeds")
    @FuzzTest
    void any_dps_session_ends_in_answers_or_a_reason(byte[] data) throws InterruptedException {
        if (data.length == 0) {
            return;
        }
        EmbeddedChannel ch = MqttPipelineForTests.open(APP, LIMITS, new Disconnector("fuzz", METERS),
                (data[0] & 1) == 0 ? ACCEPTED : REFUSED);
        try {
            ch.writeInbound(Unpooled.wrappedBuffer(data, 1, data.length - 1));
            ch.runPendingTasks();
            settle();
            ch.runPendingTasks();
            if (!ch.isOpen()) {
                String reason = Disconnector.reasonOf(ch);
                assertThat(reason).as("a close without a reason code").isNotNull();
                assertThat(reason).as("an exception, not a decision, closed the connection").isNotIn(UNDECIDED);
            }
            MqttPipelineForTests.forEachWritten(ch, m -> {
                if (m instanceof MqttPublishMessage p) {
                    assertThat(p.variableHeader().topicName()).doesNotStartWith("$dps/registrations/res/500/");
                }
            });
        } finally {
            TIMER.getQueue().clear(); // a refused session's 10 s close: this channel is finished anyway
            ch.finishAndReleaseAll();
        }
    }

    /** Waits (bounded) for the registrar's work and the answers due within the minimum answer delay. */
    private static void settle() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(9); // under libFuzzer's 10 s
        while (System.nanoTime() < deadline) {
            boolean due = TIMER.getQueue().stream().anyMatch(r -> ((Delayed) r).getDelay(TimeUnit.MILLISECONDS) < 1000);
            if (WORKERS.getCompletedTaskCount() == WORKERS.getTaskCount() && !due && TIMER.getActiveCount() == 0) {
                return;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("DPS answers not sent within 9 s");
    }




    @AfterAll
    static void close() throws IOException {
        WORKERS.shutdownNow();
        TIMER.shutdownNow();
        DPS.close();
        F.close();
        TempDirs.delete(DIR);
    }
}
