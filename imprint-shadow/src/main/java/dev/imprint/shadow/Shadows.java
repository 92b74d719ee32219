package dev.imprint.shadow;

import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.shadow.ShadowTopics.Operation;
import dev.imprint.store.ShadowJson;
import dev.imprint.store.ShadowRecord;
import dev.imprint.store.ShadowStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Device Shadow with AWS IoT's semantics, classic and named, on the store's device documents:
 * the classic shadow is the device twin (a twin desired patch shows in the shadow, a shadow
 * update in the twin; one version counts the changes of both). Two ways in: the back end
 * ({@link #get}, {@link #update}, {@link #delete}: answers, or a {@link ShadowException}) and a
 * device's MQTT request ({@link #handle}: the messages to send). Thread-safe.
 *
 * <p>Every request is counted in {@code imprint.shadow.requests} (operation, origin, result,
 * reason); refusals are logged with their reason at INFO.
 */
public final class Shadows {
    private static final Logger LOG = LoggerFactory.getLogger(Shadows.class);
    private final ShadowStore store;
    private final ShadowLimits limits;
    private final ShadowEvents events;
    private final Clock clock;
    private final MeterRegistry meters;

    private final Predicate<String> thingExists;

    /**
     * @param thingExists whether a device of that ID is registered: asked on back-end requests
     *        only (over MQTT the thing is the authenticated device); false is THING_NOT_FOUND (404)
     */
    public Shadows(ShadowStore store, ShadowLimits limits, ShadowEvents events, Clock clock, MeterRegistry meters,
            Predicate<String> thingExists) {
        this.store = store;
        this.limits = limits;
        this.events = events;
        this.clock = clock;
        this.meters = meters;
        this.thingExists = thingExists;
    }

    /** An accepted update: the answer ({@code update/accepted}) and the events it caused. */
    public record Updated(ObjectNode accepted, ObjectNode delta, ObjectNode documents) {}

    /**
     * The document as get/accepted shows it.
     *
     * @throws ShadowException NO_SHADOW (404) when it does not exist or was deleted; INVALID_SHADOW_NAME
     */
    public ObjectNode get(String thing, String shadow, String clientToken) {
        return counted(Operation.GET, "api", shadow, () -> read(known(thing, clientToken), shadow, clientToken));
    }

    /**
     * Applies an update request ({@code {"state":{"desired":..,"reported":..},"version":n,"clientToken":..}})
     * from the back end; its accepted, delta and documents go to the thing's subscribers.
     *
     * @throws ShadowException with AWS's code (400, 403, 409, 413 ...)
     */
    public Updated update(String thing, String shadow, byte[] request) {
        Updated u = counted(Operation.UPDATE, "api", shadow, () -> write(known(thing, null), shadow, request));
        String prefix = ShadowTopics.prefix(thing, shadow) + "/update";
        List<ShadowMessage> out = new ArrayList<>();
        out.add(message(prefix + "/accepted", u.accepted(), false));
        addEvents(out, prefix, u);
        events.publish(thing, out);
        return u;
    }

    /**
     * Deletes the document and keeps its version (the next update continues from it).
     *
     * @throws ShadowException NO_SHADOW (404) when there is none
     */
    public ObjectNode delete(String thing, String shadow, String clientToken) {
        return counted(Operation.DELETE, "api", shadow, () -> remove(known(thing, clientToken), shadow, clientToken));
    }

    /**
     * The thing's named shadows (deleted ones not listed).
     *
     * @throws ShadowException THING_NOT_FOUND
     */
    public List<String> names(String thing) {
        return store.names(known(thing, null));
    }

    /**
     * A desired patch applied to the classic shadow through the twin (Azure dialect: admin API
     * {@code twin/desired}, {@code imprint twin set}), already committed: publishes the
     * {@code update/delta} it causes (the patched leaves that now differ from reported, with the
     * document's current version) to the thing's subscribers. Call it after the patch.
     */
    public void twinDesiredPatched(String thing, String patchJson) {
        try {
            ShadowRecord s = store.get(thing, ShadowStore.CLASSIC);
            ObjectNode patch = ShadowJson.object(patchJson);
            ShadowRequest asRequest = new ShadowRequest(null, null, ShadowJson.JSON.createObjectNode(), patch, null);
            ObjectNode delta = ShadowDocuments.delta(asRequest, s, now().getEpochSecond());
            if (s.exists() && delta != null) {
                events.publish(thing, List.of(message(ShadowTopics.prefix(thing, ShadowStore.CLASSIC) + "/update/delta", delta, false)));
            }
        } catch (RuntimeException e) {
            LOG.warn("event=shadow.delta_failed thing={} reason=INTERNAL msg=\"{}\"", thing, e.toString());
        }
    }

    /**
     * A device's publish on a shadow request topic, as the AWS endpoint hands it over: returns the
     * answer ({@code <topic>/accepted} or {@code /rejected}, for the requester only) and, for an
     * accepted update, the events ({@code update/delta} when desired now differs from reported,
     * {@code update/documents}) for every subscriber. {@code thing} is the authenticated thing: a
     * request on another thing's topics is rejected 403 (FOREIGN_THING).
     *
     * @throws IllegalArgumentException when {@code topic} is no shadow request (see {@link ShadowTopics#request})
     */
    public List<ShadowMessage> handle(String thing, String topic, byte[] payload) {
        ShadowTopics.Request r = ShadowTopics.request(topic);
        if (r == null) {
            throw new IllegalArgumentException("not a shadow request topic: " + topic);
        }
        List<ShadowMessage> out = new ArrayList<>();
        try {
            if (!r.thing().equals(thing)) {
                throw new ShadowException(ShadowError.FOREIGN_THING, tokenOf(payload));
            }
            switch (r.operation()) {
                case GET -> out.add(message(topic + "/accepted", counted(Operation.GET, "mqtt", r.shadow(),
                        () -> read(thing, r.shadow(), ShadowRequest.plain(payload, limits).clientToken())), true));
                case DELETE -> out.add(message(topic + "/accepted", counted(Operation.DELETE, "mqtt", r.shadow(),
                        () -> remove(thing, r.shadow(), ShadowRequest.plain(payload, limits).clientToken())), true));
                case UPDATE -> {
                    Updated u = counted(Operation.UPDATE, "mqtt", r.shadow(), () -> write(thing, r.shadow(), payload));
                    out.add(message(topic + "/accepted", u.accepted(), true));
                    addEvents(out, topic, u);
                }
            }
        } catch (ShadowException e) {
            if (e.error() == ShadowError.FOREIGN_THING) {
                refused(r.operation(), "mqtt", e, r.thing());
            }
            out.add(message(topic + "/rejected", ShadowDocuments.rejected(e, now().getEpochSecond()), true));
        }
        return out;
    }

    /**
     * The answer for a request the endpoint refuses itself (THROTTLED: too many in flight on the
     * connection; UNAUTHORIZED), in AWS's shape on {@code <topic>/rejected}, counted like the others.
     */
    public ShadowMessage rejection(String topic, byte[] payload, ShadowError error) {
        ShadowTopics.Request r = ShadowTopics.request(topic);
        ShadowException e = new ShadowException(error, error.message(null), tokenOf(payload));
        refused(r == null ? Operation.UPDATE : r.operation(), "mqtt", e, topic);
        return message(topic + "/rejected", ShadowDocuments.rejected(e, now().getEpochSecond()), true);
    }

    private String known(String thing, String token) {
        if (!thingExists.test(thing)) {
            throw new ShadowException(ShadowError.THING_NOT_FOUND, token);
        }
        return thing;
    }

    private ObjectNode read(String thing, String shadow, String token) {
        check(thing, shadow, token);
        ShadowRecord s = store.get(thing, shadow);
        if (!s.exists()) {
            throw noShadow(thing, shadow, token);
        }
        return ShadowDocuments.get(s, now().getEpochSecond(), token);
    }

    private Updated write(String thing, String shadow, byte[] payload) {
        ShadowRequest req = ShadowRequest.update(payload, limits);
        check(thing, shadow, req.clientToken());
        Instant now = now();
        long ts = now.getEpochSecond();
        ShadowRecord[] before = new ShadowRecord[1];
        ShadowRecord next = store.update(thing, shadow, (cur, named) -> {
            before[0] = cur;
            ShadowRecord n = ShadowDocuments.updated(cur, req, limits, now, named);
            return new ShadowStore.Outcome<>(n, n);
        });
        if (next.classic() && ShadowDocuments.changes(req.desired())) {
            events.desiredChanged(thing, next.desiredVersion(), req.desired() instanceof NullNode
                    ? deletions(before[0].desired()) : req.desired().toString());
        }
        return new Updated(ShadowDocuments.accepted(req, next, ts), ShadowDocuments.delta(req, next, ts),
                ShadowDocuments.documents(before[0], next, ts, req.clientToken()));
    }

    private ObjectNode remove(String thing, String shadow, String token) {
        check(thing, shadow, token);
        Instant now = now();
        ShadowRecord[] before = new ShadowRecord[1];
        ShadowRecord gone = store.update(thing, shadow, (cur, named) -> {
            before[0] = cur;
            if (!cur.exists()) {
                return new ShadowStore.Outcome<>(null, null);
            }
            ShadowRecord d = ShadowDocuments.deleted(cur, now);
            return new ShadowStore.Outcome<>(d, d);
        });
        if (gone == null) {
            throw noShadow(thing, shadow, token);
        }
        if (gone.classic() && !"{}".equals(before[0].desired())) {
            events.desiredChanged(thing, gone.desiredVersion(), deletions(before[0].desired()));
        }
        return ShadowDocuments.deleteAccepted(gone, now.getEpochSecond(), token);
    }

    /** The patch that empties a desired section: every top-level member set to null. */
    private static String deletions(String desiredJson) {
        ObjectNode patch = ShadowJson.JSON.createObjectNode();
        ShadowJson.object(desiredJson).fieldNames().forEachRemaining(patch::putNull);
        return patch.toString();
    }

    private static void check(String thing, String shadow, String token) {
        if (thing == null || thing.isEmpty() || thing.getBytes(StandardCharsets.UTF_8).length > ShadowLimits.MAX_THING_NAME_BYTES
                || thing.contains("/") || thing.contains("+") || thing.contains("#")) {
            throw new ShadowException(ShadowError.THING_NOT_FOUND, token);
        }
        if (!shadow.isEmpty() && !ShadowTopics.validName(shadow)) {
            throw new ShadowException(ShadowError.INVALID_SHADOW_NAME, "Invalid shadow name: 1-64 of a-z A-Z 0-9 : _ -", token);
        }
    }

    private static ShadowException noShadow(String thing, String shadow, String token) {
        return new ShadowException(ShadowError.NO_SHADOW, ShadowError.NO_SHADOW.message(shadow.isEmpty() ? thing : shadow), token);
    }

    private void addEvents(List<ShadowMessage> out, String updateTopic, Updated u) {
        if (u.delta() != null) {
            out.add(message(updateTopic + "/delta", u.delta(), false));
        }
        out.add(message(updateTopic + "/documents", u.documents(), false));
    }

    private interface Call<T> {
        T run();
    }

    /** Runs a request, counting it; a store failure becomes INTERNAL (500). */
    private <T> T counted(Operation op, String origin, String shadow, Call<T> call) {
        try {
            T t = call.run();
            count(op, origin, "accepted", "OK");
            return t;
        } catch (ShadowException e) {
            refused(op, origin, e, shadow);
            throw e;
        } catch (RuntimeException e) {
            LOG.warn("event=shadow.failed operation={} origin={} shadow={} reason=INTERNAL msg=\"{}\"", op, origin, shadow, e.toString());
            count(op, origin, "rejected", ShadowError.INTERNAL.name());
            throw new ShadowException(ShadowError.INTERNAL, null);
        }
    }

    private void refused(Operation op, String origin, ShadowException e, String what) {
        LOG.info("event=shadow.rejected operation={} origin={} target={} reason={} code={} msg=\"{}\"", op, origin, what, e.error(),
                e.error().code(), e.getMessage());
        count(op, origin, "rejected", e.error().name());
    }

    private void count(Operation op, String origin, String result, String reason) {
        Counter.builder("imprint.shadow.requests").tag("operation", op.word).tag("origin", origin).tag("result", result)
                .tag("reason", reason).register(meters).increment();
    }

    /** The request's client token for an answer that does not read the request otherwise; null when unreadable. */
    private String tokenOf(byte[] payload) {
        try {
            return ShadowRequest.plain(payload, limits).clientToken();
        } catch (ShadowException e) {
            return null;
        }
    }

    private static ShadowMessage message(String topic, ObjectNode body, boolean toRequester) {
        return new ShadowMessage(topic, body.toString().getBytes(StandardCharsets.UTF_8), toRequester);
    }

    private Instant now() {
        return clock.instant();
    }
}
