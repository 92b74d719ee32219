package dev.imprint.shadow;

import java.nio.charset.StandardCharsets;

/**
 * A message the shadow service sends on a thing's topics.
 *
 * @param toRequester true for the answer to a request (accepted, rejected): it goes to the
 *        requesting connection only; false for events (delta, documents, and the accepted of a
 *        back-end update) that go to every subscriber of the topic
 */
public record ShadowMessage(String topic, byte[] payload, boolean toRequester) {
    public String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return topic + " " + text();
    }
}
