package dev.imprint.hub;

import dev.imprint.mqtt.TopicPolicy;
import dev.imprint.shadow.ShadowTopics;

/**
 * The AWS IoT Core topic dialect for one thing, and its default policy: the thing publishes
 * telemetry under {@code dt/<thing>/} and {@code things/<thing>/}, shadow requests on its own
 * {@code $aws/things/<thing>/shadow/...} topics, and subscribes only to filters inside those
 * namespaces ({@code cmd/<thing>/} too, for commands), and fleet provisioning's request and
 * answer topics, which carry no thing name. An enrollment's {@link TopicPolicy} adds telemetry
 * topics and subscribable filters to it, never a {@code $} topic. Pure functions; no I/O.
 */
final class AwsTopics {
    /** The telemetry property that carries the topic an AWS device published on. */
    static final String TOPIC_PROPERTY = "aws.topic";

    private final String thing;
    private final String[] telemetry;
    private final String[] subscribable;
    private final TopicPolicy extra;

    AwsTopics(String thing) {
        this(thing, TopicPolicy.NONE);
    }

    AwsTopics(String thing, TopicPolicy extra) {
        this.thing = thing;
        this.extra = extra;
        this.telemetry = new String[] {"dt/" + thing, "things/" + thing};
        this.subscribable = new String[] {"dt/" + thing, "things/" + thing, "cmd/" + thing, "$aws/things/" + thing + "/shadow"};
    }

    enum Kind { TELEMETRY, SHADOW_REQUEST, PROVISIONING, FOREIGN }

    /** What a publish on {@code topic} is under the default policy and the enrollment's. */
    Kind publishKind(String topic) {
        if (within(topic, telemetry) || extra.grantsPublish(thing, topic)) {
            return Kind.TELEMETRY;
        }
        if (FleetProvisioning.isRequest(topic)) {
            return Kind.PROVISIONING;
        }
        ShadowTopics.Request r = ShadowTopics.request(topic);
        return r != null && r.thing().equals(thing) ? Kind.SHADOW_REQUEST : Kind.FOREIGN;
    }

    /** Whether the thing may subscribe to {@code filter}: every topic it can match lies in the thing's namespaces or its enrollment's filters. */
    boolean maySubscribe(String filter) {
        return within(filter, subscribable) || provisioningReply(filter) || extra.grantsSubscribe(thing, filter);
    }

    /**
     * A filter on fleet provisioning's answers ({@code <request>/accepted|rejected|+}): harmless
     * to any thing, since answers go to the requesting connection only.
     */
    private static boolean provisioningReply(String filter) {
        int slash = filter.lastIndexOf('/');
        if (slash < 0) {
            return false;
        }
        String last = filter.substring(slash + 1);
        return (last.equals("accepted") || last.equals("rejected") || last.equals("+"))
                && FleetProvisioning.isRequest(filter.substring(0, slash));
    }

    private static boolean within(String topic, String[] namespaces) {
        for (String ns : namespaces) {
            if (topic.equals(ns) || topic.startsWith(ns) && topic.charAt(ns.length()) == '/') {
                return true;
            }
        }
        return false;
    }

    /** MQTT topic matching: {@code +} one level, a trailing {@code #} the rest (the parent level too). */
    static boolean matches(String filter, String topic) {
        return TopicPolicy.matches(filter, topic);
    }
}
