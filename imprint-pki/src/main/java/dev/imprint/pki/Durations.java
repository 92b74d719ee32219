package dev.imprint.pki;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one reading of a duration typed by a person, on the command line or in {@code imprint.yaml}:
 * a whole number with a unit, {@code 500ms}, {@code 20s}, {@code 15m}, {@code 2h}, {@code 30d}, or
 * a plain number in the unit the option or key is documented in (seconds for almost all; days
 * for the {@code ...Days} keys, which kept their old meaning).
 */
public final class Durations {
    /** What to say when a value is refused, so every message names the same forms. */
    public static final String FORMS = "a whole number with a unit ms, s, m, h or d (500ms, 20s, 15m, 2h, 30d)";

    private static final Pattern FORM = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)?");

    private Durations() {
    }

    /**
     * Parses {@code text}.
     *
     * @param plainUnit the unit of a number given without one
     * @throws IllegalArgumentException naming the accepted forms, for anything else (negative, decimal, unknown unit, empty)
     */
    public static Duration parse(String text, ChronoUnit plainUnit) {
        Matcher m = text == null ? null : FORM.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration: " + FORMS
                    + ", or a plain number of " + plainUnit.toString().toLowerCase(Locale.ROOT));
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2);
        if (unit == null) {
            return Duration.of(n, plainUnit);
        }
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** Parses {@code text}, a plain number meaning seconds. */
    public static Duration parse(String text) {
        return parse(text, ChronoUnit.SECONDS);
    }

    /** The shortest exact form {@link #parse} reads back: {@code 30d}, {@code 90m}, {@code 45s}, {@code 1500ms}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s != 0 && s % 86400 == 0) {
            return s / 86400 + "d";
        }
        if (s != 0 && s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s != 0 && s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
