package dev.imprint.mqtt;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * Extra MQTT topic filters a device may publish and subscribe on, beyond its dialect's default
 * policy. {@value #THING} in a filter stands for the connecting device's name (AWS's
 * {@code ${iot:Connection.Thing.ThingName}}); any other text, another device's name included,
 * is taken literally, as the administrator wrote it. Topics starting with {@code $} are the
 * server's (shadows, provisioning): no filter may name them. Pure functions; no I/O.
 *
 * @param publish filters the device may publish on (null = none)
 * @param subscribe filters the device may subscribe within (null = none)
 */
public record TopicPolicy(List<String> publish, List<String> subscribe) {
    /** The placeholder for the connecting device's name. */
    public static final String THING = "${thing}";
    /** At most this many filters per list: every publish is matched against all of them. */
    public static final int MAX_FILTERS = 16;
    /** AWS IoT's topic length bound (bytes); a filter longer than any topic is a mistake. */
    public static final int MAX_LENGTH = 256;

    public TopicPolicy {
        publish = publish == null ? List.of() : List.copyOf(publish);
        subscribe = subscribe == null ? List.of() : List.copyOf(subscribe);
    }

    /** No extra filters: the default policy alone. */
    public static final TopicPolicy NONE = new TopicPolicy(List.of(), List.of());

    /** Not a getter, so JSON carries only the two lists. */
    public boolean empty() {
        return publish.isEmpty() && subscribe.isEmpty();
    }

    /** A reason the policy cannot be saved: a code for the caller and the filter at fault. */
    public record Problem(String code, String message) {}

    /** Every reason this policy cannot be saved; empty when it can. */
    public List<Problem> problems() {
        List<Problem> out = new ArrayList<>();
        check("publish", publish, out);
        check("subscribe", subscribe, out);
        return out;
    }

    private static void check(String list, List<String> filters, List<Problem> out) {
        if (filters.size() > MAX_FILTERS) {
            out.add(new Problem("TOO_MANY_FILTERS", list + ": at most " + MAX_FILTERS + " filters, got " + filters.size()));
        }
        for (String f : filters) {
            if (f == null || f.isEmpty()) {
                out.add(new Problem("BAD_TOPIC_FILTER", list + ": an empty filter"));
            } else if (f.startsWith("$")) {
                out.add(new Problem("RESERVED_TOPIC", list + ": '" + f + "' is a reserved ($) topic; the server's own topics are never granted"));
            } else if (f.length() > MAX_LENGTH) {
                out.add(new Problem("BAD_TOPIC_FILTER", list + ": a filter longer than " + MAX_LENGTH + " characters"));
            } else if (!wellFormed(f)) {
                out.add(new Problem("BAD_TOPIC_FILTER", list + ": '" + f + "' is not an MQTT filter (+ and # stand alone in a level, # last)"));
            }
        }
    }

    /** MQTT filter syntax: {@code +} a whole level, {@code #} the whole last level, no NUL. */
    static boolean wellFormed(String filter) {
        if (filter.indexOf('\0') >= 0) {
            return false;
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String l = levels[i];
            boolean wild = l.indexOf('+') >= 0 || l.indexOf('#') >= 0;
            if (wild && !(l.equals("+") || l.equals("#") && i == levels.length - 1)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code thing} may publish on {@code topic} under these filters. */
    public boolean grantsPublish(String thing, String topic) {
        return grants(publish, thing, topic, TopicPolicy::matches);
    }

    /** Whether every topic {@code filter} can match lies within one of these subscribe filters, for {@code thing}. */
    public boolean grantsSubscribe(String thing, String filter) {
        return grants(subscribe, thing, filter, TopicPolicy::covers);
    }

    private static boolean grants(List<String> filters, String thing, String asked, BiPredicate<String, String> within) {
        if (asked.startsWith("$") || !plainName(thing)) {
            return false;
        }
        for (String f : filters) {
            if (within.test(f.replace(THING, thing), asked)) {
                return true;
            }
        }
        return false;
    }

    /** A name that, substituted into a filter, adds no wildcard and no level: otherwise it grants nothing. */
    private static boolean plainName(String thing) {
        return !thing.isEmpty() && thing.indexOf('+') < 0 && thing.indexOf('#') < 0 && thing.indexOf('/') < 0;
    }

    /** MQTT topic matching: {@code +} one level, a trailing {@code #} the rest (the parent level too). */
    public static boolean matches(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length || !f[i].equals("+") && !f[i].equals(t[i])) {
                return false;
            }
        }
        return f.length == t.length;
    }

    /** Whether every topic {@code inner} matches is matched by {@code outer}. */
    static boolean covers(String outer, String inner) {
        String[] o = outer.split("/", -1);
        String[] in = inner.split("/", -1);
        for (int i = 0; i < o.length; i++) {
            if (o[i].equals("#")) {
                return true;
            }
            if (i >= in.length || in[i].equals("#") || !o[i].equals("+") && (in[i].equals("+") || !o[i].equals(in[i]))) {
                return false;
            }
        }
        return o.length == in.length;
    }
}
