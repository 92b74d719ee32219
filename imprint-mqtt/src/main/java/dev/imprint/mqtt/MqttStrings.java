package dev.imprint.mqtt;

/**
 * MQTT 3.1.1 section 1.5.3 on the strings a client sends (client ID, user name, will topic,
 * topic names and filters). Netty's decoder turns ill-formed UTF-8 into U+FFFD instead of
 * failing, so the check runs on the decoded string: U+FFFD stands for bytes that were not
 * UTF-8 (a device has no use for a replacement character in a topic, so a well-formed one is
 * refused too), U+0000 is forbidden outright, and the other control characters, which the
 * spec lets a server refuse, are refused: they have no place in a topic and every one of them
 * would otherwise travel on towards logs and the store.
 */
final class MqttStrings {
    private MqttStrings() {}

    /** @return the reason code to close with, or null when {@code s} (null allowed) is acceptable */
    static String violation(String s) {
        if (s == null) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\uFFFD' || c == 0 || Character.isSurrogate(c) && !validPair(s, i)) {
                return "MALFORMED_UTF8";
            }
            if (c < 0x20 || c >= 0x7F && c <= 0x9F) {
                return "CONTROL_CHARACTER";
            }
            if (Character.isHighSurrogate(c)) {
                i++;
            }
        }
        return null;
    }

    private static boolean validPair(String s, int i) {
        return Character.isHighSurrogate(s.charAt(i)) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }

    /** The first violation among {@code strings}, or null. */
    static String violation(Iterable<String> strings) {
        for (String s : strings) {
            String v = violation(s);
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
