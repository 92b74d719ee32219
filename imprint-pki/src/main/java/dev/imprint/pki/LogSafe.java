package dev.imprint.pki;

/**
 * Escapes a value that came from the network (registration and client IDs, user names, topics,
 * paths, header values, messages quoting them) before it reaches a log line, so that whoever
 * chose it cannot forge lines or fields: CR, LF and every other control character (and the
 * Unicode line and paragraph separators) become {@code \r}, {@code \n} or {@code \}{@code uXXXX},
 * a quote becomes {@code \"} and a backslash {@code \\} (so an escape in the output always
 * means an escape), and anything past {@link #MAX_CHARS} is cut with a note of how much was cut.
 * {@link #token} escapes spaces and {@code =} as well, for values logged unquoted
 * ({@code client=...}), where a space would start a forged field.
 */
public final class LogSafe {
    /** Longest value kept in a log line: a real ID or topic is far shorter, a flood of bytes is not. */
    public static final int MAX_CHARS = 256;

    private LogSafe() {}

    /** For values inside {@code key="..."}, and for free text. Null stays "null". */
    public static String of(Object value) {
        return escape(value, Mode.QUOTED);
    }

    /** For values logged unquoted ({@code key=value}): spaces and {@code =} are escaped too. */
    public static String token(Object value) {
        return escape(value, Mode.TOKEN);
    }

    /**
     * Line breaks and control characters only, no cap: for a whole formatted message (the log
     * layout's net under the call sites, which have already escaped quotes and cut lengths).
     */
    public static String oneLine(String message) {
        return message == null ? null : escape(message, Mode.LINE);
    }

    private enum Mode { LINE, QUOTED, TOKEN }

    private static String escape(Object value, Mode mode) {
        if (value == null) {
            return "null";
        }
        String s = value.toString();
        int n = mode == Mode.LINE ? s.length() : Math.min(s.length(), MAX_CHARS);
        StringBuilder out = null;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            String rep = replacement(c, mode);
            if (rep != null && out == null) {
                out = new StringBuilder(n + 16).append(s, 0, i);
            }
            if (out != null) {
                if (rep != null) {
                    out.append(rep);
                } else {
                    out.append(c);
                }
            }
        }
        if (out == null && n == s.length()) {
            return s;
        }
        if (out == null) {
            out = new StringBuilder(s.substring(0, n));
        }
        if (n < s.length()) {
            out.append("...(+").append(s.length() - n).append(" chars)");
        }
        return out.toString();
    }

    private static String replacement(char c, Mode mode) {
        switch (c) {
            case '\r': return "\\r";
            case '\n': return "\\n";
            case '\t': return "\\t";
            default:
        }
        if (mode != Mode.LINE && (c == '"' || c == '\\')) {
            return c == '"' ? "\\\"" : "\\\\";
        }
        if (mode == Mode.TOKEN && (c == ' ' || c == '=')) {
            return c == ' ' ? "\\u0020" : "\\u003d";
        }
        if (c < 0x20 || c >= 0x7F && c <= 0x9F || c == '\u2028' || c == '\u2029') {
            return String.format("\\u%04x", (int) c);
        }
        return null;
    }
}
