package dev.imprint.dps.protocol.mqtt;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.dps.DpsException;
import dev.imprint.dps.DpsReason;
import dev.imprint.dps.protocol.Wire;
import dev.imprint.dps.registration.Attestation;
import dev.imprint.dps.registration.Registrar;
import dev.imprint.mqtt.ConnectOutcome;
import dev.imprint.mqtt.ConnectRequest;
import dev.imprint.mqtt.MqttApplication;
import dev.imprint.mqtt.MqttConnection;
import dev.imprint.mqtt.MqttRefusal;
import dev.imprint.mqtt.MqttSession;
import dev.imprint.pki.validation.Verdict;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * DPS over MQTT, the Azure way: client ID = registration ID; username
 * {@code {idScope}/registrations/{registrationId}/api-version=...}; the device subscribes to
 * {@code $dps/registrations/res/#} and publishes
 * {@code $dps/registrations/PUT/iotdps-register/?$rid={rid}} and
 * {@code $dps/registrations/GET/iotdps-get-operationstatus/?$rid={rid}&operationId={id}};
 * answers go to {@code $dps/registrations/res/{status}/?$rid={rid}&retry-after={s}} ({@code $rid}
 * first: the Java SDK drops the connection otherwise), with the same JSON bodies as HTTPS.
 */
final class DpsMqttApplication implements MqttApplication {
    static final String RESPONSES = "$dps/registrations/res/#";
    static final String REGISTER = "$dps/registrations/PUT/iotdps-register/";
    static final String STATUS = "$dps/registrations/GET/iotdps-get-operationstatus/";
    /**
     * The Java SDK can miss an answer that arrives within ~2 ms of its request; answering no
     * sooner than this after the request avoids it at no cost a device would notice.
     */
    static final long MIN_ANSWER_DELAY_MS = 25;

    private final String idScope;
    private final Registrar registrar;
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    private final int retryAfterSeconds;

    DpsMqttApplication(String idScope, Registrar registrar, ExecutorService workers, ScheduledExecutorService timer,
            int retryAfterSeconds) {
        this.idScope = idScope;
        this.registrar = registrar;
        this.workers = workers;
        this.timer = timer;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** How long a refused device may stay connected to read why (it is closed after the first answer). */
    static final long REFUSED_SESSION_SECONDS = 10;

    @Override
    public CompletionStage<ConnectOutcome> connect(ConnectRequest req, MqttConnection connection) {
        // a refused certificate is told why in the answer to its request, with the reason code
        // HTTPS gives (a CONNACK cannot carry one), then disconnected
        if (req.verdict() instanceof Verdict.Refused r) {
            return done(ConnectOutcome.accept(new RefusedSession(new DpsException(r.reason().name(), 401,
                    "certificate refused at step " + r.step().number() + " (" + r.reason() + "): " + r.detail(), 0), connection)));
        }
        Verdict.Accepted a = (Verdict.Accepted) req.verdict();
        String id = Attestation.registrationId(a.identity());
        if (!id.equals(req.clientId())) {
            return done(ConnectOutcome.accept(new RefusedSession(new DpsException(DpsReason.REGISTRATION_ID_MISMATCH,
                    "registration ID '" + req.clientId() + "' is not the certificate's identity '" + id + "'"), connection)));
        }
        String expected = idScope + "/registrations/" + id + "/";
        if (req.username() == null || !req.username().startsWith(expected)) {
            return done(ConnectOutcome.refuse(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD,
                    DpsReason.BAD_REQUEST.name(), "username must start with " + expected));
        }
        return done(ConnectOutcome.accept(new Session(id, a.path(), connection)));
    }

/** Runs {@code work} on a worker and publishes its answer (or its DpsException) to the device, no sooner than the minimum delay. */
private CompletableFuture<Void> answer(MqttConnection connection, String rid, long receivedNanos, Supplier<ObjectNode> work, int okStatus) {
    CompletableFuture<Void> sent = new CompletableFuture<>();
        workers.execute(() -> {
            int status;
            int retryAfter = retryAfterSeconds;
            ObjectNode body;
            try {
                body = work.get();
                status = okStatus;
            } catch (DpsException e) {
                body = Wire.error(e);
                status = e.httpStatus();
                retryAfter = e.retryAfterSeconds();
            } catch (RuntimeException e) {
                DpsException d = new DpsException(DpsReason.INTERNAL_ERROR, "internal error: " + e);
                body = Wire.error(d);
                status = d.httpStatus();
                retryAfter = 0;
            }
            // $rid before retry-after: the SDK drops the connection on the other order
            String topic = "$dps/registrations/res/" + status + "/?$rid=" + (rid == null ? "" : rid)
                    + (retryAfter > 0 ? "&retry-after=" + retryAfter : "");
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            long elapsedMs = (System.nanoTime() - receivedNanos) / 1_000_000;
            long delay = Math.max(0, MIN_ANSWER_DELAY_MS - elapsedMs);
            timer.schedule(() -> connection.publish(topic, 1, bytes).whenComplete((v, t) -> sent.complete(null)), delay,
                    TimeUnit.MILLISECONDS);
        });
        return sent;
    }

    private static CompletionStage<ConnectOutcome> done(ConnectOutcome o) {
        return CompletableFuture.completedFuture(o);
    }

    /** One device connection. */
    private final class Session implements MqttSession {
        private final String registrationId;
        private final List<X509Certificate> path;
        private final MqttConnection connection;

        Session(String registrationId, List<X509Certificate> path, MqttConnection connection) {
            this.registrationId = registrationId;
            this.path = path;
            this.connection = connection;
        }

        @Override
        public CompletionStage<Void> onPublish(String topic, int qos, byte[] payload) {
            long received = System.nanoTime();
            if (topic.startsWith(REGISTER)) {
                String rid = param(topic, "$rid");
                answer(connection, rid, received, () -> Wire.assigning(registrar.register(Wire.registerRequest(registrationId, payload, path))), 202);
            } else if (topic.startsWith(STATUS)) {
                String rid = param(topic, "$rid");
                String opId = param(topic, "operationId");
                answer(connection, rid, received, () -> Wire.status(registrar.status(registrationId, opId == null ? "" : opId, path)), 200);
            } else {
                throw new MqttRefusal("TOPIC_NOT_ALLOWED", "DPS accepts only $dps/registrations/PUT|GET topics, not " + topic);
            }
            return DONE;
        }

        @Override
        public List<Integer> onSubscribe(List<Subscription> filters) {
            return grant(filters);
        }

        @Override
        public void onUnsubscribe(List<String> filters) {}

        @Override
        public void onClose(String reason) {}
    }

    /**
     * A device whose certificate (or claimed ID) was refused: every request is answered with the
     * refusal, as HTTPS answers it (401 and the reason code), and the connection ends after the
     * first answer or {@value #REFUSED_SESSION_SECONDS} s.
     */
    private final class RefusedSession implements MqttSession {
        private final DpsException refusal;
        private final MqttConnection connection;

        RefusedSession(DpsException refusal, MqttConnection connection) {
            this.refusal = refusal;
            this.connection = connection;
            timer.schedule(() -> connection.close(refusal.reason(), "refused device did not ask"), REFUSED_SESSION_SECONDS, TimeUnit.SECONDS);
        }

        @Override
        public CompletionStage<Void> onPublish(String topic, int qos, byte[] payload) {
            if (!topic.startsWith(REGISTER) && !topic.startsWith(STATUS)) {
                throw new MqttRefusal("TOPIC_NOT_ALLOWED", "DPS accepts only $dps/registrations/PUT|GET topics, not " + topic);
            }
            answer(connection, param(topic, "$rid"), System.nanoTime(), () -> {
                throw refusal;
            }, 200).whenComplete((v, t) -> connection.close(refusal.reason(), refusal.getMessage()));
            return DONE;
        }

        @Override
        public List<Integer> onSubscribe(List<Subscription> filters) {
            return grant(filters);
        }

        @Override
        public void onUnsubscribe(List<String> filters) {}

        @Override
        public void onClose(String reason) {}
    }

    private static List<Integer> grant(List<MqttSession.Subscription> filters) {
        List<Integer> granted = new ArrayList<>();
        for (MqttSession.Subscription s : filters) {
            granted.add(RESPONSES.equals(s.filter()) || s.filter().startsWith("$dps/registrations/res/") ? Math.min(1, s.qos()) : 0x80);
        }
        return granted;
    }

    /** A query parameter of a topic's {@code ?a=b&c=d} part, or null. */
    static String param(String topic, String name) {
        int q = topic.indexOf('?');
        if (q < 0) {
            return null;
        }
        for (String kv : topic.substring(q + 1).split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0 && kv.substring(0, eq).equals(name)) {
                return kv.substring(eq + 1);
            }
        }
        return null;
    }
}
