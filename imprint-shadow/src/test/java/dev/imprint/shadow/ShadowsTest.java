package dev.imprint.shadow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.store.JdbcStore;
import dev.imprint.store.Store;
import dev.imprint.store.TwinRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shadow service's semantics, through the back end and the MQTT handler, on a real SQLite store. */
class ShadowsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TS = 1_900_000_000L;
    @TempDir
    static Path dir;
    static Store store;

    private final List<String> desiredPushes = new ArrayList<>();
    private final List<ShadowMessage> published = new ArrayList<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private Shadows shadows;
    private String dev;

    @BeforeAll
    static void open() {
        store = JdbcStore.sqlite(dir.resolve("imprint.db"));
    }

    @AfterAll
    static void close() {
        store.close();
    }

    @BeforeEach
    void fresh() {
        dev = "dev-" + UUID.randomUUID().toString().substring(0, 8);
        shadows = new Shadows(store.shadows(), new ShadowLimits(200, 6, 1024, 2), new ShadowEvents() {
            @Override
            public void publish(String thing, List<ShadowMessage> messages) {
                published.addAll(messages);
            }

            @Override
            public void desiredChanged(String thing, long twinVersion, String patchJson) {
                desiredPushes.add(twinVersion + " " + patchJson);
            }
        }, Clock.fixed(Instant.ofEpochSecond(TS), ZoneOffset.UTC), meters, thing -> !thing.equals("ghost"));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode j(String s) throws Exception {
        return JSON.readTree(s);
    }

    private JsonNode update(String shadow, String request) throws Exception {
        return j(shadows.update(dev, shadow, b(request)).accepted().toString());
    }

    private ShadowException refusal(String shadow, String request) {
        try {
            shadows.update(dev, shadow, b(request));
        } catch (ShadowException e) {
            return e;
        }
        throw new AssertionError("accepted: " + request);
    }

    @Test
    void get_on_a_new_device_is_404_naming_the_shadow() {
        assertThatThrownBy(() -> shadows.get(dev, "", "t1")).isInstanceOfSatisfying(ShadowException.class, e -> {
            assertThat(e.error()).isEqualTo(ShadowError.NO_SHADOW);
            assertThat(e.error().code()).isEqualTo(404);
            assertThat(e.getMessage()).isEqualTo("No shadow exists with name: '" + dev + "'");
            assertThat(e.clientToken()).isEqualTo("t1");
        });
        assertThat(meters.counter("imprint.shadow.requests", "operation", "get", "origin", "api", "result", "rejected", "reason", "NO_SHADOW")
                .count()).isEqualTo(1);
        // the back end asks whether the device exists; over MQTT the thing is the authenticated device
        assertThatThrownBy(() -> shadows.get("ghost", "", null)).isInstanceOfSatisfying(ShadowException.class, e -> {
            assertThat(e.error()).isEqualTo(ShadowError.THING_NOT_FOUND);
            assertThat(e.getMessage()).isEqualTo("Thing not found");
        });
        assertThatThrownBy(() -> shadows.update("ghost", "", b("{\"state\":{}}"))).isInstanceOf(ShadowException.class);
        assertThatThrownBy(() -> shadows.names("ghost")).isInstanceOf(ShadowException.class);
        assertThat(shadows.handle("ghost", "$aws/things/ghost/shadow/update", b("{\"state\":{}}")).get(0).topic()).endsWith("/update/accepted");
    }

    @Test
    void accepted_update_has_aws_shape_and_get_shows_state_metadata_and_version() throws Exception {
        assertThat(update("", "{\"state\":{\"reported\":{\"temp\":21,\"fw\":{\"v\":\"1.0\"}}},\"clientToken\":\"c1\"}")).isEqualTo(j(
                "{\"state\":{\"reported\":{\"temp\":21,\"fw\":{\"v\":\"1.0\"}}},\"metadata\":{\"reported\":{\"temp\":{\"timestamp\":" + TS
                        + "},\"fw\":{\"v\":{\"timestamp\":" + TS + "}}}},\"version\":1,\"timestamp\":" + TS + ",\"clientToken\":\"c1\"}"));
        assertThat(j(shadows.get(dev, "", null).toString())).isEqualTo(j("{\"state\":{\"reported\":{\"temp\":21,\"fw\":{\"v\":\"1.0\"}}},"
                + "\"metadata\":{\"reported\":{\"temp\":{\"timestamp\":" + TS + "},\"fw\":{\"v\":{\"timestamp\":" + TS + "}}}},"
                + "\"version\":1,\"timestamp\":" + TS + "}"));
    }

    @Test
    void update_merges_null_deletes_and_arrays_are_replaced_whole() throws Exception {
        update("", "{\"state\":{\"desired\":{\"a\":1,\"b\":{\"x\":1,\"y\":2},\"list\":[1,2,3]}}}");
        update("", "{\"state\":{\"desired\":{\"a\":null,\"b\":{\"y\":null,\"z\":3},\"list\":[9]}}}");
        JsonNode doc = j(shadows.get(dev, "", null).toString());
        assertThat(doc.path("state").path("desired")).isEqualTo(j("{\"b\":{\"x\":1,\"z\":3},\"list\":[9]}"));
        assertThat(doc.path("metadata").path("desired")).isEqualTo(j("{\"b\":{\"x\":{\"timestamp\":" + TS + "},\"z\":{\"timestamp\":" + TS
                + "}},\"list\":[{\"timestamp\":" + TS + "}]}"));
        assertThat(doc.path("version").asLong()).isEqualTo(2);
        // the SDK sends the other section empty when an app nulls a key: a no-op for it
        update("", "{\"state\":{\"desired\":{\"b\":null,\"c\":\"green\"},\"reported\":{}}}");
        doc = j(shadows.get(dev, "", null).toString());
        assertThat(doc.path("state").path("desired")).isEqualTo(j("{\"list\":[9],\"c\":\"green\"}"));
        assertThat(doc.path("state").has("reported")).isFalse();
        update("", "{\"state\":{\"desired\":null}}");
        assertThat(j(shadows.get(dev, "", null).toString()).path("state").isEmpty()).isTrue();
    }

    @Test
    void each_accepted_update_is_one_version_and_a_stale_version_is_409() throws Exception {
        update("", "{\"state\":{\"reported\":{\"a\":1}}}");
        assertThat(update("", "{\"state\":{\"reported\":{\"a\":2}},\"version\":1}").path("version").asLong()).isEqualTo(2);
        ShadowException e = refusal("", "{\"state\":{\"reported\":{\"a\":3}},\"version\":1,\"clientToken\":\"late\"}");
        assertThat(e.error()).isEqualTo(ShadowError.VERSION_CONFLICT);
        assertThat(e.error().code()).isEqualTo(409);
        assertThat(e.getMessage()).isEqualTo("Version conflict");
        assertThat(e.clientToken()).isEqualTo("late");
        assertThat(j(shadows.get(dev, "", null).toString()).path("state").path("reported").path("a").asInt()).isEqualTo(2);
    }

    @Test
    void delta_carries_the_accepted_version_and_only_the_differing_keys() throws Exception {
        update("", "{\"state\":{\"reported\":{\"color\":\"red\",\"mode\":\"eco\",\"cfg\":{\"a\":1,\"b\":1}}}}");
        published.clear();
        Shadows.Updated u = shadows.update(dev, "", b("{\"state\":{\"desired\":{\"color\":\"blue\",\"mode\":\"eco\",\"cfg\":{\"a\":1,\"b\":2}}},"
                + "\"clientToken\":\"d1\"}"));
        assertThat(u.accepted().path("version").asLong()).isEqualTo(2);
        assertThat(j(u.delta().toString())).isEqualTo(j("{\"state\":{\"color\":\"blue\",\"cfg\":{\"b\":2}},\"metadata\":{\"color\":{\"timestamp\":"
                + TS + "},\"cfg\":{\"b\":{\"timestamp\":" + TS + "}}},\"version\":2,\"timestamp\":" + TS + ",\"clientToken\":\"d1\"}"));
        assertThat(u.documents().path("previous").path("version").asLong()).isEqualTo(1);
        assertThat(u.documents().path("previous").path("state").path("desired").isEmpty()).isTrue();
        assertThat(u.documents().path("current").path("version").asLong()).isEqualTo(2);
        assertThat(u.documents().path("current").path("state").path("desired").path("color").asText()).isEqualTo("blue");
        assertThat(u.documents().path("clientToken").asText()).isEqualTo("d1");
        assertThat(j(shadows.get(dev, "", null).toString()).path("state").path("delta")).isEqualTo(j("{\"color\":\"blue\",\"cfg\":{\"b\":2}}"));
        // back-end updates go to the thing's subscribers: accepted, delta, documents
        assertThat(published).extracting(ShadowMessage::topic).containsExactly("$aws/things/" + dev + "/shadow/update/accepted",
                "$aws/things/" + dev + "/shadow/update/delta", "$aws/things/" + dev + "/shadow/update/documents");
        // the device reports what it was asked: no delta; a desired equal to reported: no delta either
        assertThat(shadows.update(dev, "", b("{\"state\":{\"reported\":{\"color\":\"blue\",\"cfg\":{\"b\":2}}}}")).delta()).isNull();
        assertThat(shadows.update(dev, "", b("{\"state\":{\"desired\":{\"mode\":\"eco\"}}}")).delta()).isNull();
        assertThat(j(shadows.get(dev, "", null).toString()).path("state").has("delta")).isFalse();
    }

    @Test
    void delete_keeps_the_version_counter_and_a_missing_shadow_is_404() throws Exception {
        assertThatThrownBy(() -> shadows.delete(dev, "", null)).isInstanceOfSatisfying(ShadowException.class,
                e -> assertThat(e.error().code()).isEqualTo(404));
        update("", "{\"state\":{\"reported\":{\"a\":1}}}");
        update("", "{\"state\":{\"reported\":{\"a\":2}}}");
        assertThat(j(shadows.delete(dev, "", "x").toString())).isEqualTo(j("{\"version\":2,\"timestamp\":" + TS + ",\"clientToken\":\"x\"}"));
        assertThatThrownBy(() -> shadows.get(dev, "", null)).isInstanceOf(ShadowException.class);
        assertThatThrownBy(() -> shadows.delete(dev, "", null)).isInstanceOf(ShadowException.class);
        JsonNode again = update("", "{\"state\":{\"reported\":{\"b\":1}}}");
        assertThat(again.path("version").asLong()).isEqualTo(3);
        assertThat(j(shadows.get(dev, "", null).toString()).path("state")).isEqualTo(j("{\"reported\":{\"b\":1}}"));
    }

    @Test
    void bad_requests_are_refused_with_awss_codes_and_messages() {
        record Case(String request, ShadowError error, String message) {}
        String deep6 = "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":1}}}}}}";
        String deep7 = "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":[1]}}}}}}";
        for (Case c : List.of(
                new Case("{\"state\":", ShadowError.INVALID_JSON, "Invalid JSON"),
                new Case("[1]", ShadowError.INVALID_JSON, "Invalid JSON"),
                new Case("{\"clientToken\":\"t\"}", ShadowError.MISSING_STATE, "Missing required node: state"),
                new Case("{\"state\":1}", ShadowError.STATE_NOT_OBJECT, "State node must be an object"),
                new Case("{\"state\":{\"desired\":[1]}}", ShadowError.DESIRED_NOT_OBJECT, "Desired node must be an object"),
                new Case("{\"state\":{\"reported\":\"x\"}}", ShadowError.REPORTED_NOT_OBJECT, "Reported node must be an object"),
                new Case("{\"state\":{\"delta\":{}}}", ShadowError.INVALID_NODE, "State contains an invalid node: 'delta'"),
                new Case("{\"state\":{\"reported\":{\"a\":[1,null]}}}", ShadowError.INVALID_NODE, "State contains an invalid node: null in an array"),
                new Case("{\"state\":{\"reported\":{\"$version\":3}}}", ShadowError.INVALID_NODE, "State contains an invalid node: '$version'"),
                new Case("{\"state\":{\"reported\":{}},\"version\":\"3\"}", ShadowError.INVALID_VERSION, "Invalid version"),
                new Case("{\"state\":{\"reported\":{}},\"version\":-1}", ShadowError.INVALID_VERSION, "Invalid version"),
                new Case("{\"state\":{},\"clientToken\":\"" + "x".repeat(65) + "\"}", ShadowError.INVALID_CLIENT_TOKEN, "Invalid clientToken"),
                new Case("{\"state\":{\"reported\":" + deep7 + "}}", ShadowError.TOO_DEEP, "JSON contains too many levels of nesting; maximum is 6"),
                new Case("{\"state\":{\"reported\":{\"big\":\"" + "x".repeat(200) + "\"}}}", ShadowError.STATE_TOO_LARGE,
                        "The payload exceeds the maximum size allowed"),
                new Case("{\"state\":{\"reported\":{\"big\":\"" + "x".repeat(1100) + "\"}}}", ShadowError.PAYLOAD_TOO_LARGE,
                        "The payload exceeds the maximum size allowed"))) {
            ShadowException e = refusal("", c.request());
            assertThat(e.error()).as(c.request()).isEqualTo(c.error());
            assertThat(e.getMessage()).as(c.request()).isEqualTo(c.message());
        }
        assertThat(refusal("", "{\"clientToken\":\"tok\",\"state\":7}").clientToken()).isEqualTo("tok");
        ShadowException utf = refusal("", "x");
        assertThat(utf.error()).isEqualTo(ShadowError.INVALID_JSON);
        assertThatThrownBy(() -> shadows.update(dev, "", new byte[] {'{', (byte) 0xC3, '}'})).isInstanceOfSatisfying(ShadowException.class,
                e -> assertThat(e.error().code()).isEqualTo(415));
        assertThat(shadows.update(dev, "", b("{\"state\":{\"reported\":" + deep6 + "}}")).accepted().path("version").asLong()).isEqualTo(1);
        assertThat(meters.find("imprint.shadow.requests").tag("reason", "TOO_DEEP").counter().count()).isEqualTo(1);
    }

    @Test
    void named_shadows_are_independent_documents_with_aws_names_and_a_cap() throws Exception {
        update("", "{\"state\":{\"reported\":{\"classic\":true}}}");
        update("cfg", "{\"state\":{\"desired\":{\"rate\":5}}}");
        update("cfg", "{\"state\":{\"desired\":{\"rate\":6}}}");
        assertThat(update("ota:v2_x-1", "{\"state\":{\"reported\":{\"v\":2}}}").path("version").asLong()).isEqualTo(1);
        assertThat(j(shadows.get(dev, "cfg", null).toString()).path("state")).isEqualTo(j("{\"desired\":{\"rate\":6},\"delta\":{\"rate\":6}}"));
        assertThat(j(shadows.get(dev, "", null).toString()).path("version").asLong()).isEqualTo(1);
        assertThat(store.twins().get(dev).desired()).isEqualTo("{}");
        assertThat(shadows.names(dev)).containsExactly("cfg", "ota:v2_x-1");
        for (String bad : List.of("a/b", "x".repeat(65), "$package", "sp ace", "!x")) {
            assertThat(refusal(bad, "{\"state\":{}}").error()).as(bad).isEqualTo(ShadowError.INVALID_SHADOW_NAME);
        }
        ShadowException cap = refusal("third", "{\"state\":{\"reported\":{}}}");
        assertThat(cap.error()).isEqualTo(ShadowError.SHADOW_LIMIT);
        assertThat(cap.error().code()).isEqualTo(403);
        shadows.delete(dev, "cfg", null);
        assertThat(update("third", "{\"state\":{\"reported\":{}}}").path("version").asLong()).isEqualTo(1);
        assertThatThrownBy(() -> shadows.get(dev, "cfg", null)).hasMessage("No shadow exists with name: 'cfg'");
    }

    @Test
    void the_classic_shadow_and_the_twin_are_one_document() throws Exception {
        store.twins().patchDesired(dev, "{\"rate\":5}");
        shadows.twinDesiredPatched(dev, "{\"rate\":5}");
        assertThat(published).singleElement().satisfies(m -> {
            assertThat(m.topic()).isEqualTo("$aws/things/" + dev + "/shadow/update/delta");
            assertThat(j(m.text())).isEqualTo(j("{\"state\":{\"rate\":5},\"metadata\":{\"rate\":{\"timestamp\":"
                    + j(store.shadows().get(dev, "").metadata()).path("desired").path("rate").path("timestamp").asLong()
                    + "}},\"version\":1,\"timestamp\":" + TS + "}"));
        });
        JsonNode doc = j(shadows.get(dev, "", null).toString());
        assertThat(doc.path("state").path("desired")).isEqualTo(j("{\"rate\":5}"));
        assertThat(doc.path("state").path("delta")).isEqualTo(j("{\"rate\":5}"));
        assertThat(doc.path("metadata").path("desired").path("rate").path("timestamp").asLong()).isPositive();
        assertThat(doc.path("version").asLong()).isEqualTo(1);
        // the twin's desired change made the version move: a shadow update still on version 0 is stale
        assertThat(refusal("", "{\"state\":{\"desired\":{\"rate\":6}},\"version\":0}").error()).isEqualTo(ShadowError.VERSION_CONFLICT);
        update("", "{\"state\":{\"desired\":{\"rate\":6,\"mode\":\"eco\"},\"reported\":{\"rate\":5}},\"version\":1}");
        TwinRecord twin = store.twins().get(dev);
        assertThat(j(twin.desired())).isEqualTo(j("{\"rate\":6,\"mode\":\"eco\"}"));
        assertThat(twin.desiredVersion()).isEqualTo(3);
        assertThat(j(twin.reported())).isEqualTo(j("{\"rate\":5}"));
        assertThat(twin.reportedVersion()).isEqualTo(2);
        assertThat(desiredPushes).containsExactly("3 {\"rate\":6,\"mode\":\"eco\"}");
        // an empty section is a no-op for the twin too (the SDK sends one beside a null elsewhere)
        update("", "{\"state\":{\"desired\":{},\"reported\":{\"x\":1}}}");
        update("", "{\"state\":{\"reported\":{\"x\":null}}}");
        assertThat(store.twins().get(dev).desiredVersion()).isEqualTo(3);
        assertThat(desiredPushes).hasSize(1);
        // an Azure device's reported patch is a shadow change too
        store.twins().patchReported(dev, "{\"rate\":6}");
        doc = j(shadows.get(dev, "", null).toString());
        assertThat(doc.path("version").asLong()).isEqualTo(5);
        assertThat(doc.path("state").path("delta")).isEqualTo(j("{\"mode\":\"eco\"}"));
        // deleting the classic shadow empties the twin, and Azure devices get the deletions
        shadows.delete(dev, "", null);
        twin = store.twins().get(dev);
        assertThat(twin.desired()).isEqualTo("{}");
        assertThat(twin.desiredVersion()).isEqualTo(4);
        assertThat(desiredPushes).last().isEqualTo("4 {\"rate\":null,\"mode\":null}");
        store.twins().patchReported(dev, "{\"back\":1}");
        assertThat(j(shadows.get(dev, "", null).toString()).path("version").asLong()).isEqualTo(6);
    }

    @Test
    void mqtt_requests_get_their_answer_and_events_on_aws_topics() throws Exception {
        String p = "$aws/things/" + dev + "/shadow";
        List<ShadowMessage> get = shadows.handle(dev, p + "/get", new byte[0]);
        assertThat(get).singleElement().satisfies(m -> {
            assertThat(m.topic()).isEqualTo(p + "/get/rejected");
            assertThat(m.toRequester()).isTrue();
            assertThat(j(m.text()).path("code").asInt()).isEqualTo(404);
            assertThat(j(m.text()).path("timestamp").asLong()).isEqualTo(TS);
        });
        shadows.handle(dev, p + "/update", b("{\"thingName\":\"" + dev + "\",\"clientToken\":\"r1\",\"state\":{\"reported\":{\"on\":false}}}"));
        List<ShadowMessage> upd = shadows.handle(dev, p + "/update", b("{\"clientToken\":\"u1\",\"state\":{\"desired\":{\"on\":true}}}"));
        assertThat(upd).extracting(ShadowMessage::topic).containsExactly(p + "/update/accepted", p + "/update/delta", p + "/update/documents");
        assertThat(upd).extracting(ShadowMessage::toRequester).containsExactly(true, false, false);
        assertThat(j(upd.get(0).text()).path("version").asLong()).isEqualTo(2);
        assertThat(j(upd.get(1).text()).path("version").asLong()).isEqualTo(2);
        assertThat(j(upd.get(1).text()).path("clientToken").asText()).isEqualTo("u1");
        List<ShadowMessage> named = shadows.handle(dev, p + "/name/cfg/get", b("{\"clientToken\":\"g1\",\"shadowName\":\"cfg\"}"));
        assertThat(named).singleElement().satisfies(m -> {
            assertThat(m.topic()).isEqualTo(p + "/name/cfg/get/rejected");
            assertThat(j(m.text()).path("message").asText()).isEqualTo("No shadow exists with name: 'cfg'");
            assertThat(j(m.text()).path("clientToken").asText()).isEqualTo("g1");
        });
        assertThat(shadows.handle(dev, p + "/update", b("{\"clientToken\":\"v\",\"state\":{\"reported\":{}},\"version\":1}")))
                .singleElement().satisfies(m -> {
                    assertThat(m.topic()).isEqualTo(p + "/update/rejected");
                    assertThat(j(m.text())).isEqualTo(j("{\"code\":409,\"message\":\"Version conflict\",\"timestamp\":" + TS + ",\"clientToken\":\"v\"}"));
                });
        assertThat(shadows.handle(dev, p + "/get", b("{}"))).singleElement().satisfies(m -> assertThat(m.topic()).isEqualTo(p + "/get/accepted"));
        assertThat(shadows.handle(dev, p + "/delete", b("{\"clientToken\":\"del\"}"))).singleElement().satisfies(m -> {
            assertThat(m.topic()).isEqualTo(p + "/delete/accepted");
            assertThat(j(m.text()).path("version").asLong()).isEqualTo(2);
        });
        // another thing's topics: refused to the requester only, nothing read or written
        List<ShadowMessage> foreign = shadows.handle(dev, "$aws/things/other/shadow/update", b("{\"clientToken\":\"f\",\"state\":{}}"));
        assertThat(foreign).singleElement().satisfies(m -> {
            assertThat(m.topic()).isEqualTo("$aws/things/other/shadow/update/rejected");
            assertThat(m.toRequester()).isTrue();
            assertThat(j(m.text()).path("code").asInt()).isEqualTo(403);
            assertThat(j(m.text()).path("clientToken").asText()).isEqualTo("f");
        });
        assertThat(store.shadows().get("other", "").exists()).isFalse();
        assertThat(shadows.rejection(p + "/get", b("{\"clientToken\":\"z\"}"), ShadowError.THROTTLED).text()).contains("\"code\":429", "\"z\"");
        assertThat(published).isEmpty();
        assertThatThrownBy(() -> shadows.handle(dev, p + "/update/accepted", new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void topics_parse_classic_and_named_requests_only() {
        assertThat(ShadowTopics.request("$aws/things/t1/shadow/update")).isEqualTo(new ShadowTopics.Request("t1", "", ShadowTopics.Operation.UPDATE));
        assertThat(ShadowTopics.request("$aws/things/t1/shadow/name/n:1/delete"))
                .isEqualTo(new ShadowTopics.Request("t1", "n:1", ShadowTopics.Operation.DELETE));
        assertThat(ShadowTopics.request("$aws/things/t1/shadow/name/n/get").topic()).isEqualTo("$aws/things/t1/shadow/name/n/get");
        for (String t : List.of("$aws/things/t1/shadow/update/delta", "$aws/things/t1/shadow/get/accepted", "$aws/things/+/shadow/get",
                "$aws/things/t1/shadow/name//get", "devices/t1/messages/events/", "$aws/things/t1/shadow/list")) {
            assertThat(ShadowTopics.request(t)).as(t).isNull();
        }
    }
}
