package dev.imprint.dps.allocation;

import dev.imprint.pki.LogSafe;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.dps.DpsReason;
import dev.imprint.store.HubRecord;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Custom allocation by a webhook (Azure's custom allocation shape). POSTs
 * <pre>{"enrollment": {"name", "kind", ...}, "deviceRuntimeContext": {"registrationId", "payload"},
 *  "linkedHubs": [hostname...], "hubs": [{"name", "hostname", "region", "weight"}...]}</pre>
 * and reads {@code {"iotHubHostName" | "hub", "initialTwin": {"tags", "properties": {"desired"}},
 * "payload"}}. An answer of 403, or {@code "refused": true}, refuses the device
 * (WEBHOOK_REFUSED). A timeout, a network error, another status, an unreadable answer or a hub
 * that is not a candidate goes to the fallback: another policy, or a refusal (WEBHOOK_FAILED).
 */
public final class WebhookAllocation implements AllocationPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookAllocation.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private final URI url;
    private final Duration timeout;
    private final AllocationPolicy fallback;

    /** @param fallback the policy used when the webhook fails, null to refuse */
    public WebhookAllocation(URI url, Duration timeout, AllocationPolicy fallback) {
        this.url = url;
        this.timeout = timeout;
        this.fallback = fallback;
    }

    @Override
    public Allocation allocate(AllocationRequest r) {
        HttpResponse<String> resp;
        try {
            HttpRequest req = HttpRequest.newBuilder(url)
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body(r).toString()))
                    .build();
            resp = CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return failed(r, "webhook " + url + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(r, "interrupted while calling the webhook");
        }
        if (resp.statusCode() == 403) {
            return Allocation.refused(DpsReason.WEBHOOK_REFUSED.name(), "webhook refused the device: " + abbreviate(resp.body()));
        }
        if (resp.statusCode() / 100 != 2) {
            return failed(r, "webhook answered HTTP " + resp.statusCode());
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(resp.body());
        } catch (IOException e) {
            return failed(r, "webhook answer is not JSON");
        }
        if (answer == null || !answer.isObject()) {
            return failed(r, "webhook answer is not a JSON object");
        }
        if (answer.path("refused").asBoolean(false)) {
            return Allocation.refused(DpsReason.WEBHOOK_REFUSED.name(), "webhook refused the device: "
                    + answer.path("message").asText(""));
        }
        String host = answer.path("iotHubHostName").asText(null);
        String name = answer.path("hub").asText(null);
        HubRecord hub = r.candidates().stream()
                .filter(h -> h.hostname().equalsIgnoreCase(host) || h.name().equals(name))
                .findFirst().orElse(null);
        if (hub == null) {
            return failed(r, "webhook named a hub that is not linked to the enrollment: " + (host != null ? host : name));
        }
        JsonNode twin = answer.path("initialTwin");
        ObjectNode tags = twin.path("tags") instanceof ObjectNode o ? o : null;
        ObjectNode desired = twin.path("properties").path("desired") instanceof ObjectNode o ? o : null;
        JsonNode payload = answer.get("payload") != null && answer.get("payload").isObject() ? answer.get("payload") : null;
        return new Allocation.Assigned(hub, tags, desired, payload);
    }

    private Allocation failed(AllocationRequest r, String why) {
        LOG.warn("event=dps.webhook.failed url={} registrationId={} msg=\"{}\" fallback={}", url, LogSafe.token(r.registrationId()), LogSafe.of(why),
                fallback == null ? "refuse" : "policy");
        return fallback == null ? Allocation.refused(DpsReason.WEBHOOK_FAILED.name(), why) : fallback.allocate(r);
    }

    static ObjectNode body(AllocationRequest r) {
        ObjectNode b = JSON.createObjectNode();
        ObjectNode e = b.putObject("enrollment");
        e.put("name", r.enrollment().name());
        e.put("kind", r.enrollment().kind().name().toLowerCase(java.util.Locale.ROOT));
        e.set("initialTwin", JSON.createObjectNode().<ObjectNode>set("tags", r.enrollment().tags())
                .set("properties", JSON.createObjectNode().set("desired", r.enrollment().desired())));
        ObjectNode ctx = b.putObject("deviceRuntimeContext");
        ctx.put("registrationId", r.registrationId());
        if (r.payload() != null) {
            ctx.set("payload", r.payload());
        }
        ArrayNode linked = b.putArray("linkedHubs");
        ArrayNode hubs = b.putArray("hubs");
        for (HubRecord h : r.candidates()) {
            linked.add(h.hostname());
            hubs.addObject().put("name", h.name()).put("hostname", h.hostname()).put("region", h.region()).put("weight", h.weight());
        }
        return b;
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
