package dev.imprint.shadow;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AWS's shadow topics: {@code $aws/things/<thing>/shadow[/name/<shadow>]/<get|update|delete>}
 * for requests, {@code <request>/accepted|rejected} for answers, {@code <prefix>/update/delta}
 * and {@code /update/documents} for events. Pure functions.
 */
public final class ShadowTopics {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9:_-]{1,64}");
    private static final Pattern REQUEST = Pattern.compile("\\$aws/things/([^/+#]+)/shadow(?:/name/([^/+#]+))?/(get|update|delete)");

    private ShadowTopics() {}

    /** A parsed request topic; {@code shadow} is {@code ""} for the classic shadow. */
    public record Request(String thing, String shadow, Operation operation) {
        public String topic() {
            return prefix(thing, shadow) + "/" + operation.word;
        }
    }

    public enum Operation {
        GET("get"), UPDATE("update"), DELETE("delete");

        final String word;

        Operation(String word) {
            this.word = word;
        }
    }

    /** The request a topic names, or null when it is no shadow request (an answer or event topic, or anything else). */
    public static Request request(String topic) {
        Matcher m = REQUEST.matcher(topic);
        if (!m.matches()) {
            return null;
        }
        Operation op = switch (m.group(3)) {
            case "get" -> Operation.GET;
            case "update" -> Operation.UPDATE;
            default -> Operation.DELETE;
        };
        return new Request(m.group(1), m.group(2) == null ? "" : m.group(2), op);
    }

    /** {@code $aws/things/<thing>/shadow} or {@code .../shadow/name/<shadow>}. */
    public static String prefix(String thing, String shadow) {
        return "$aws/things/" + thing + "/shadow" + (shadow.isEmpty() ? "" : "/name/" + shadow);
    }

    /** AWS's rule for shadow names: 1-64 of letters, digits, ':', '_', '-' ('$'-names such as $package are AWS's own). */
    public static boolean validName(String shadow) {
        return NAME.matcher(shadow).matches();
    }
}
