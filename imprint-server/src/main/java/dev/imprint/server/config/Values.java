package dev.imprint.server.config;

import dev.imprint.pki.Durations;
import java.net.URI;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Typed reads of raw setting strings that record a problem naming the key (and its environment
 * variable) instead of throwing, so that {@link ConfigLoader} reports every problem at once.
 */
final class Values {
    static final Pattern DNS_NAME = Pattern.compile("(?i)^(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$");

    private final Map<ConfigKey, String> raw;
    private final List<String> problems;

    Values(Map<ConfigKey, String> raw, List<String> problems) {
        this.raw = raw;
        this.problems = problems;
    }

    static String where(ConfigKey k) {
        return k.path() + " (env " + k.env() + ")";
    }

    String raw(ConfigKey k) {
        return raw.get(k);
    }

    void problem(String p) {
        problems.add(p);
    }

    int intIn(ConfigKey k, int min, int max) {
        return intIn(where(k), raw.get(k), min, max, Integer.parseInt(k.defaultValue()));
    }

    int intIn(String where, String v, int min, int max, int fallback) {
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problems.add(where + ": '" + v + "' is not a whole number in " + min + ".." + max);
        return fallback;
    }

    /** A duration key read through {@link Durations}; a plain number is in {@code plainUnit}, the unit the key's name says. */
    Duration duration(ConfigKey k, ChronoUnit plainUnit, Duration min, Duration max) {
        return duration(where(k), raw.get(k), plainUnit, min, max, Durations.parse(k.defaultValue(), plainUnit));
    }

    Duration duration(String where, String v, ChronoUnit plainUnit, Duration min, Duration max, Duration fallback) {
        Duration d;
        try {
            d = Durations.parse(v, plainUnit);
        } catch (IllegalArgumentException e) {
            problems.add(where + ": " + e.getMessage());
            return fallback;
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            problems.add(where + ": '" + v + "' is not in " + Durations.format(min) + ".." + Durations.format(max));
            return fallback;
        }
        return d;
    }

    int port(ConfigKey k) {
        return intIn(k, 1, 65535);
    }

    boolean bool(ConfigKey k) {
        String v = raw.get(k).toLowerCase(Locale.ROOT);
        switch (v) {
            case "true", "on", "yes" -> {
                return true;
            }
            case "false", "off", "no" -> {
                return false;
            }
            default -> {
                problems.add(where(k) + ": '" + raw.get(k) + "' is not true/false (on/off)");
                return Boolean.parseBoolean(k.defaultValue());
            }
        }
    }

    String address(ConfigKey k) {
        return address(where(k), raw.get(k));
    }

    String address(String where, String v) {
        if (v.isEmpty() || !(v.matches("[0-9.]+") || v.contains(":") || DNS_NAME.matcher(v).matches())) {
            problems.add(where + ": '" + v + "' is not an IP address or host name");
        }
        return v;
    }

    String url(ConfigKey k) {
        return url(where(k), raw.get(k));
    }

    /** An http(s) URL without a trailing slash. */
    String url(String where, String v) {
        try {
            URI u = new URI(v);
            if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null) {
                return v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
            }
        } catch (java.net.URISyntaxException ignored) {
            // reported below
        }
        problems.add(where + ": '" + v + "' is not an http(s) URL");
        return v;
    }

    ImprintConfig.TlsEngine engine(ConfigKey k) {
        String v = raw.get(k);
        try {
            return ImprintConfig.TlsEngine.valueOf(v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problems.add(where(k) + ": '" + v + "' is not one of auto, openssl, jdk");
            return ImprintConfig.TlsEngine.AUTO;
        }
    }

    List<String> dnsNames(ConfigKey k) {
        String v = raw.get(k);
        List<String> names = Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        for (String n : names) {
            if (!DNS_NAME.matcher(n).matches() || n.length() > 253) {
                problems.add(where(k) + ": '" + n + "' is not a DNS name");
            }
        }
        return names;
    }
}
