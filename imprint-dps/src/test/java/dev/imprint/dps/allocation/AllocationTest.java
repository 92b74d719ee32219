package dev.imprint.dps.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.imprint.dps.enrollment.Enrollment;
import dev.imprint.dps.enrollment.ReprovisionPolicy;
import dev.imprint.store.HubRecord;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each allocation policy over 1,000 registrations; the webhook against a real local HTTP server. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AllocationTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant T = Instant.parse("2030-01-01T00:00:00Z");
    static final Enrollment ENROLLMENT = new Enrollment("group", Enrollment.Kind.INDIVIDUAL, null, null, "x", "hashed",
            JSON.createObjectNode(), List.of(), JSON.createObjectNode().put("site", "a"), JSON.createObjectNode(),
            ReprovisionPolicy.REPROVISION_AND_MIGRATE, true, T, T);

    static {
        // the JDK's HTTP server otherwise waits for delayed ACKs (~40 ms per small answer)
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    HttpServer webhook;

    @AfterEach
    void stopWebhook() {
        if (webhook != null) {
            webhook.stop(0);
        }
    }

    static HubRecord hub(String name, int weight, String region) {
        return new HubRecord(name, name + ".imprint.test", "mqtts://" + name + ".imprint.test:8883", region, weight, T);
    }

    static Map<String, Integer> spread(AllocationPolicy p, List<HubRecord> hubs, int n, JsonNode payload) {
        Map<String, Integer> count = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Allocation a = p.allocate(new AllocationRequest("device-" + i, ENROLLMENT, hubs, payload, null));
            count.merge(((Allocation.Assigned) a).hub().name(), 1, Integer::sum);
        }
        return count;
    }

    @Test
    void weighted_hashing_spreads_1000_devices_within_10_percent_of_the_weights() {
        List<HubRecord> hubs = List.of(hub("a", 100, null), hub("b", 200, null), hub("c", 700, null));
        Map<String, Integer> c = spread(new WeightedHashing(), hubs, 1000, null);
        assertThat(c.get("a")).isBetween(90, 110);
        assertThat(c.get("b")).isBetween(180, 220);
        assertThat(c.get("c")).isBetween(630, 770);
        Map<String, Integer> even = spread(new WeightedHashing(), List.of(hub("hub-1", 1, null), hub("hub-2", 1, null)), 1000, null);
        assertThat(even.get("hub-1")).isBetween(450, 550);
    }

    @Test
    void weighted_hashing_is_stable_and_adding_a_hub_moves_only_its_share() {
        List<HubRecord> before = List.of(hub("a", 100, null), hub("b", 100, null), hub("c", 100, null));
        List<HubRecord> after = new ArrayList<>(before);
        after.add(hub("d", 100, null));
        int moved = 0;
        int movedElsewhere = 0;
        for (int i = 0; i < 1000; i++) {
            String id = "device-" + i;
            String was = WeightedHashing.choose(id, before).name();
            assertThat(WeightedHashing.choose(id, before).name()).isEqualTo(was);
            String now = WeightedHashing.choose(id, after).name();
            if (!now.equals(was)) {
                moved++;
                if (!now.equals("d")) {
                    movedElsewhere++;
                }
            }
        }
        assertThat(movedElsewhere).as("devices only ever move to the new hub").isZero();
        assertThat(moved).as("about a quarter moves").isBetween(225, 275);
    }

    @Test
    void static_allocation_puts_everyone_on_its_hub_and_refuses_a_hub_not_linked() {
        List<HubRecord> hubs = List.of(hub("a", 1, null), hub("b", 1, null));
        assertThat(spread(new StaticAllocation("b"), hubs, 1000, null)).containsExactly(Map.entry("b", 1000));
        Allocation a = new StaticAllocation("zz").allocate(new AllocationRequest("d", ENROLLMENT, hubs, null, null));
        assertThat(a).isInstanceOf(Allocation.Refused.class);
        assertThat(((Allocation.Refused) a).reason()).isEqualTo("NO_HUB");
    }

    @Test
    void region_allocation_follows_the_reported_region_else_the_lowest_latency() {
        List<HubRecord> hubs = List.of(hub("eu-1", 1, "eu"), hub("eu-2", 1, "eu"), hub("us-1", 1, "us"));
        Map<String, Long> latency = Map.of("eu-1", 900L, "eu-2", 800L, "us-1", 100L);
        RegionAllocation p = new RegionAllocation(h -> latency.get(h.name()));
        Map<String, Integer> eu = spread(p, hubs, 1000, JSON.createObjectNode().put("region", "eu"));
        assertThat(eu).containsOnlyKeys("eu-1", "eu-2");
        assertThat(eu.get("eu-1")).isBetween(450, 550);
        assertThat(spread(p, hubs, 1000, JSON.createObjectNode().put("region", "mars"))).containsExactly(Map.entry("us-1", 1000));
        assertThat(spread(p, hubs, 1000, null)).containsExactly(Map.entry("us-1", 1000));
    }

    @Test
    void webhook_allocation_uses_the_answer_of_a_real_http_server() throws IOException {
        List<HubRecord> hubs = List.of(hub("a", 1, null), hub("b", 1, null), hub("c", 1, null));
        AtomicReference<JsonNode> lastRequest = new AtomicReference<>();
        AtomicInteger calls = new AtomicInteger();
        URI url = serve((body) -> {
            lastRequest.set(body);
            calls.incrementAndGet();
            String id = body.path("deviceRuntimeContext").path("registrationId").asText();
            int n = Integer.parseInt(id.substring(id.indexOf('-') + 1));
            // devices divisible by 10 go to c, the rest to a: a rule only a webhook can express
            ObjectNode answer = JSON.createObjectNode().put("iotHubHostName", n % 10 == 0 ? "c.imprint.test" : "a.imprint.test");
            answer.putObject("initialTwin").putObject("properties").putObject("desired").put("interval", 30);
            answer.putObject("payload").put("welcome", id);
            return new Answer(200, answer.toString());
        });
        WebhookAllocation p = new WebhookAllocation(url, Duration.ofSeconds(5), null);
        Map<String, Integer> c = spread(p, hubs, 1000, JSON.createObjectNode().put("model", "m1"));
        assertThat(c).containsOnly(Map.entry("a", 900), Map.entry("c", 100));
        assertThat(calls.get()).isEqualTo(1000);
        JsonNode req = lastRequest.get();
        assertThat(req.path("enrollment").path("name").asText()).isEqualTo("group");
        assertThat(req.path("deviceRuntimeContext").path("payload").path("model").asText()).isEqualTo("m1");
        assertThat(req.path("linkedHubs")).hasSize(3);
        Allocation.Assigned one = (Allocation.Assigned) p.allocate(new AllocationRequest("device-7", ENROLLMENT, hubs, null, null));
        assertThat(one.desired().path("interval").asInt()).isEqualTo(30);
        assertThat(one.payload().path("welcome").asText()).isEqualTo("device-7");
    }

    @Test
    void webhook_refusal_refuses_the_device() throws IOException {
        URI url = serve(body -> new Answer(200, "{\"refused\": true, \"message\": \"not on the list\"}"));
        Allocation a = new WebhookAllocation(url, Duration.ofSeconds(5), new WeightedHashing())
                .allocate(new AllocationRequest("d-1", ENROLLMENT, List.of(hub("a", 1, null)), null, null));
        assertThat(((Allocation.Refused) a).reason()).isEqualTo("WEBHOOK_REFUSED");
        URI forbidden = serve(body -> new Answer(403, "no"));
        Allocation b = new WebhookAllocation(forbidden, Duration.ofSeconds(5), new WeightedHashing())
                .allocate(new AllocationRequest("d-1", ENROLLMENT, List.of(hub("a", 1, null)), null, null));
        assertThat(((Allocation.Refused) b).reason()).isEqualTo("WEBHOOK_REFUSED");
    }

    @Test
    void webhook_timeout_falls_back_or_fails() throws IOException {
        // the webhook answers only when the test lets it: an allocation that returns before shows the timeout, with no
        // wall-clock bound that a loaded machine could break
        java.util.concurrent.CountDownLatch answer = new java.util.concurrent.CountDownLatch(1);
        URI slow = serve(body -> {
            try {
                answer.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Answer(200, "{\"iotHubHostName\": \"a.imprint.test\"}");
        });
        try {
            List<HubRecord> hubs = List.of(hub("a", 1, null), hub("b", 1, null));
            AllocationRequest r = new AllocationRequest("device-1", ENROLLMENT, hubs, null, null);
            Allocation fallback = new WebhookAllocation(slow, Duration.ofMillis(200), new StaticAllocation("b")).allocate(r);
            assertThat(((Allocation.Assigned) fallback).hub().name()).isEqualTo("b");
            Allocation refused = new WebhookAllocation(slow, Duration.ofMillis(200), null).allocate(r);
            assertThat(((Allocation.Refused) refused).reason()).isEqualTo("WEBHOOK_FAILED");
        } finally {
            answer.countDown();
        }
        URI broken = serve(body -> new Answer(500, "oops"));
        AllocationRequest r = new AllocationRequest("device-1", ENROLLMENT, List.of(hub("a", 1, null)), null, null);
        assertThat(((Allocation.Refused) new WebhookAllocation(broken, Duration.ofSeconds(2), null).allocate(r)).reason())
                .isEqualTo("WEBHOOK_FAILED");
    }

    record Answer(int status, String body) {}

    interface Handler {
        Answer handle(JsonNode body) throws IOException;
    }

    private URI serve(Handler h) throws IOException {
        if (webhook != null) {
            webhook.stop(0);
        }
        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        webhook.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        webhook.createContext("/allocate", ex -> {
            JsonNode body = JSON.readTree(ex.getRequestBody());
            Answer a = h.handle(body);
            byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(a.status(), out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        webhook.start();
        return URI.create("http://127.0.0.1:" + webhook.getAddress().getPort() + "/allocate");
    }
}
