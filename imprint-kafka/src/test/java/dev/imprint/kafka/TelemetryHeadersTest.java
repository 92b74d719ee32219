package dev.imprint.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

class TelemetryHeadersTest {
    private final TelemetryHeaders headers = new TelemetryHeaders("hub-1", "node-a");

    static List<String> text(Iterable<Header> hs) {
        List<String> out = new ArrayList<>();
        hs.forEach(h -> out.add(h.key() + "=" + new String(h.value(), StandardCharsets.UTF_8)));
        return out;
    }

    @Test
    void a_message_without_properties_has_hub_node_and_enqueued_time_shared_within_its_millisecond() {
        Iterable<Header> first = headers.of(1_700_000_000_123L, "{}", "dev-1");
        assertThat(text(first)).containsExactly("imprint-hub=hub-1", "imprint-node=node-a", "imprint-enqueued-time=1700000000123");
        assertThat(headers.of(1_700_000_000_123L, "{}", "dev-2")).isSameAs(first);
        assertThat(headers.of(1_700_000_000_123L, null, "dev-2")).isSameAs(first);
        assertThat(text(headers.of(1_700_000_000_124L, "{}", "dev-1"))).containsExactly("imprint-hub=hub-1", "imprint-node=node-a",
                "imprint-enqueued-time=1700000000124");
    }

    @Test
    void system_properties_get_their_header_names_and_application_properties_their_own() {
        String json = "{\"$.mid\":\"m-1\",\"$.ct\":\"application/json\",\"$.ce\":\"utf-8\",\"site\":\"Zürich\",\"x\":\"\"}";
        List<String> expected = List.of("imprint-hub=hub-1", "imprint-node=node-a", "imprint-enqueued-time=5", "message-id=m-1",
                "content-type=application/json", "content-encoding=utf-8", "site=Zürich", "x=");
        assertThat(text(headers.of(5, json, "dev-1"))).containsExactlyElementsOf(expected);
        // the same set again comes from the cache, the same headers
        assertThat(text(headers.of(5, json, "dev-1"))).containsExactlyElementsOf(expected);
    }

    @Test
    void values_that_are_not_strings_read_as_jackson_as_text_did_and_unreadable_json_sends_no_properties() {
        assertThat(text(headers.of(7, "{\"n\":12,\"b\":true,\"o\":{\"a\":\"b\"},\"z\":null,\"s\":\"t\"}", "dev-1")))
                .containsExactly("imprint-hub=hub-1", "imprint-node=node-a", "imprint-enqueued-time=7", "n=12", "b=true", "o=", "z=null", "s=t");
        assertThat(text(headers.of(7, "{\"a\":", "dev-1"))).containsExactly("imprint-hub=hub-1", "imprint-node=node-a", "imprint-enqueued-time=7");
    }
}
