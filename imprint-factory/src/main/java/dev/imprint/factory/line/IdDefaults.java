package dev.imprint.factory.line;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The IDs a station assigns ({@code prefix + zero-padded counter}) chosen to fit the station's ID
 * pattern at the CA: a pattern of the form {@code LITERAL[0-9]{N}}, {@code LITERAL\d{N}} or
 * {@code LITERAL[0-9]+} gives the prefix and the digits when the operator named neither. Whatever
 * the source, the first ID must match the pattern, or the line does not start: otherwise the CA
 * would refuse every device one by one.
 */
public final class IdDefaults {
    /** Digits of the counter when neither the operator nor the pattern says. */
    public static final int DEFAULT_DIGITS = 8;
    private static final Pattern SIMPLE = Pattern.compile(
            "\\^?((?:[A-Za-z0-9_:@+=-]|\\\\[.\\-_:])*)(?:\\[0-9\\]|\\\\d)(?:\\{(\\d{1,2})\\}|(\\+))\\$?");

    /** The assigned IDs: {@code prefix} followed by {@code digits} digits. */
    public record Ids(String prefix, int digits) {
        /** The first ID of a batch (the counter starts at 0). */
        public String first() {
            return prefix + String.format("%0" + digits + "d", 0);
        }
    }

    private IdDefaults() {}

    /**
     * @param idPattern the station's pattern at the CA, null when unknown (then the old defaults, unchecked)
     * @param prefix {@code --id-prefix}, null when not given
     * @param digits {@code --id-digits}, null when not given
     * @throws IllegalArgumentException naming {@code --id-prefix}/{@code --id-digits} when the IDs would not match
     */
    public static Ids choose(String station, String idPattern, String prefix, Integer digits) {
        String p = prefix;
        Integer d = digits;
        if (idPattern != null) {
            Matcher m = SIMPLE.matcher(idPattern);
            if (m.matches()) {
                if (p == null) {
                    p = m.group(1).replaceAll("\\\\(.)", "$1");
                }
                if (d == null && m.group(2) != null) {
                    d = Integer.parseInt(m.group(2));
                }
            }
        }
        Ids ids = new Ids(p != null ? p : station + "-", d != null ? d : DEFAULT_DIGITS);
        if (ids.digits() < 1 || ids.digits() > 18) {
            throw new IllegalArgumentException("--id-digits must be 1..18");
        }
        if (idPattern != null && !Pattern.compile(idPattern).matcher(ids.first()).matches()) {
            throw new IllegalArgumentException("station " + station + " accepts device IDs matching '" + idPattern
                    + "', but the IDs assigned would be " + ids.first() + ", ...; give --id-prefix PREFIX and --id-digits N so that"
                    + " PREFIX followed by N digits matches it");
        }
        return ids;
    }
}
