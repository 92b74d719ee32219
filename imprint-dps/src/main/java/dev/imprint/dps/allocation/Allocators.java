package dev.imprint.dps.allocation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imprint.dps.enrollment.Enrollment;
import java.net.URI;
import java.time.Duration;

/** Builds the policy an enrollment names from its settings. */
public final class Allocators {
    private static final AllocationPolicy HASHED = new WeightedHashing();

    private final LatencyProbe latency;

    public Allocators(LatencyProbe latency) {
        this.latency = latency;
    }

    /**
     * Settings: static {@code {"hub"}}; webhook {@code {"url", "timeoutMs" (default 5000),
     * "fallback": "hashed" | "static" | "region" | "refuse" (default refuse)}}; hashed and region none.
     *
     * @throws IllegalArgumentException for a webhook without a usable http(s) URL
     */
    public AllocationPolicy forEnrollment(Enrollment e) {
        return byName(e.allocation(), e.allocationSettings());
    }

    AllocationPolicy byName(String name, ObjectNode s) {
        return switch (name) {
            case "hashed" -> HASHED;
            case "static" -> new StaticAllocation(s.hasNonNull("hub") ? s.get("hub").asText() : null);
            case "region" -> new RegionAllocation(latency::micros);
            case "webhook" -> webhook(s);
            default -> throw new IllegalArgumentException("unknown allocation policy " + name);
        };
    }

    private AllocationPolicy webhook(ObjectNode s) {
        String url = s.path("url").asText("");
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new IllegalArgumentException("webhook allocation needs settings.url (http or https)");
        }
        String fb = s.path("fallback").asText("refuse");
        if ("webhook".equals(fb)) {
            throw new IllegalArgumentException("a webhook cannot fall back to a webhook");
        }
        AllocationPolicy fallback = "refuse".equals(fb) ? null : byName(fb, s);
        return new WebhookAllocation(URI.create(url), Duration.ofMillis(s.path("timeoutMs").asLong(5000)), fallback);
    }
}
