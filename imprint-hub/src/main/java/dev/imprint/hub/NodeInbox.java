package dev.imprint.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.cluster.NodeMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's inbox: what other nodes (or this one) ask of the sessions held here, and the
 * answers to this node's own requests. Fencing: a request names the session epoch the sender
 * saw in the directory; when the session here has another epoch (or there is none) the answer
 * is DEVICE_MOVED (or DEVICE_OFFLINE) at once, never a wait. Runs on one inbox thread, not the
 * bus's: answers may write to the database (PostgreSQL bus).
 */
final class NodeInbox {
    private static final Logger LOG = LoggerFactory.getLogger(NodeInbox.class);
    static final ObjectMapper JSON = new ObjectMapper();

    private final List<Hub> hubs;
    private final NodeRequests requests;
    private final Executor answers;

    /** @param answers where method answers are sent from (they write to the bus, which may be the database) */
    NodeInbox(List<Hub> hubs, NodeRequests requests, Executor answers) {
        this.hubs = hubs;
        this.requests = requests;
        this.answers = answers;
    }

    void handle(NodeMessage m) {
        switch (m.type()) {
            case NodeMessage.SESSION_TAKEN -> hubs.forEach(h -> h.sessionTaken(m.deviceId(), m.epoch()));
            case NodeMessage.DEVICE_CHANGED -> hubs.forEach(h -> h.deviceChanged(m.deviceId()));
            case NodeMessage.C2D_READY -> fenced(m).ifPresent(DeviceSession::deliverC2d);
            case NodeMessage.DESIRED_CHANGED -> fenced(m).ifPresent(s -> {
                JsonNode b = read(m.body());
                s.pushDesired(b.path("version").asLong(), b.path("patch").asText());
            });
            case NodeMessage.SHADOW_EVENTS -> fenced(m).ifPresent(s -> {
                if (s instanceof AwsSession aws) {
                    aws.deliver(shadowMessages(read(m.body())));
                }
            });
            case NodeMessage.METHOD_INVOKE -> fenced(m).ifPresent(s -> invoke(s, m));
            case NodeMessage.METHOD_RESULT, NodeMessage.DEVICE_MOVED, NodeMessage.DEVICE_OFFLINE -> {
                if (!requests.answered(m)) {
                    LOG.debug("event=node.late_answer type={} device={} from={}", m.type(), m.deviceId(), m.from());
                }
            }
            default -> LOG.warn("event=node.unknown_message type={} from={}", m.type(), m.from());
        }
    }

    /** The session of the request's epoch; otherwise answers DEVICE_MOVED or DEVICE_OFFLINE and returns empty. */
    private Optional<DeviceSession> fenced(NodeMessage m) {
        Optional<DeviceSession> s = hubs.stream().flatMap(h -> h.session(m.deviceId()).stream()).findFirst();
        if (s.isEmpty()) {
            requests.reply(m, NodeMessage.DEVICE_OFFLINE, null);
            return Optional.empty();
        }
        if (s.get().epoch != m.epoch()) {
            requests.reply(m, NodeMessage.DEVICE_MOVED, null);
            return Optional.empty();
        }
        return s;
    }

    private void invoke(DeviceSession s, NodeMessage m) {
        JsonNode req = read(m.body());
        byte[] payload;
        try {
            payload = req.path("payload").binaryValue();
        } catch (IOException e) {
            payload = new byte[0];
        }
        s.invoke(req.path("name").asText(), payload, Duration.ofMillis(req.path("timeoutMs").asLong(30_000))).whenCompleteAsync((r, e) -> {
            ObjectNode answer = JSON.createObjectNode();
            Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (t instanceof HubException he && he.code().equals("DEVICE_OFFLINE")) {
                requests.reply(m, NodeMessage.DEVICE_OFFLINE, null);
                return;
            }
            if (t != null) {
                answer.put("error", t instanceof HubException he ? he.code() : "INTERNAL_ERROR");
                answer.put("message", t.getMessage());
            } else {
                answer.put("status", r.status());
                answer.put("payload", r.payload());
            }
            requests.reply(m, NodeMessage.METHOD_RESULT, bytes(answer));
        }, answers);
    }

    /** {@code [{"topic","payload"(base64)}...]}, as {@link HubBackend#shadowEvents} writes them. */
    private static List<dev.imprint.shadow.ShadowMessage> shadowMessages(JsonNode list) {
        List<dev.imprint.shadow.ShadowMessage> out = new java.util.ArrayList<>();
        for (JsonNode n : list) {
            try {
                out.add(new dev.imprint.shadow.ShadowMessage(n.path("topic").asText(), n.path("payload").binaryValue(), false));
            } catch (IOException e) {
                LOG.warn("event=node.bad_shadow_event msg=\"{}\"", e.toString());
            }
        }
        return out;
    }

    static JsonNode read(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    static byte[] bytes(JsonNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
