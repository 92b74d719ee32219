package dev.imprint.shadow;

import java.util.List;

/**
 * Where the shadow service's side effects go: messages for a thing's topics when nobody asked
 * over MQTT (a back-end update), and desired changes of the classic shadow, which Azure-dialect
 * devices receive as twin desired patches. Called after the change is committed; must not block.
 */
public interface ShadowEvents {
    ShadowEvents NONE = new ShadowEvents() {};

    /** Events for the subscribers of {@code thing}'s shadow topics (the AWS endpoint delivers them). */
    default void publish(String thing, List<ShadowMessage> messages) {}

    /**
     * The classic shadow's desired section changed through the shadow: {@code patchJson} is the
     * RFC 7396 patch that turns the previous desired into the new one, {@code twinVersion} the
     * twin's new desired {@code $version}.
     */
    default void desiredChanged(String thing, long twinVersion, String patchJson) {}
}
