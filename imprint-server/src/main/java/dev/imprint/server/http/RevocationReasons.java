package dev.imprint.server.http;

import java.util.List;
import java.util.Locale;

/** RFC 5280 CRLReason names and codes, as accepted by the admin API and the CLI. */
public final class RevocationReasons {
    /** Index = code; code 7 is unused in RFC 5280. */
    private static final List<String> NAMES = List.of("unspecified", "keyCompromise", "cACompromise",
            "affiliationChanged", "superseded", "cessationOfOperation", "certificateHold", "",
            "removeFromCRL", "privilegeWithdrawn", "aACompromise");

    private RevocationReasons() {}

    /**
     * Parses a reason name (case-insensitive, e.g. {@code keyCompromise}) or its code.
     *
     * @throws IllegalArgumentException for anything else, listing the valid names
     */
    public static int parse(String reason) {
        if (reason == null || reason.isBlank()) {
            return 0;
        }
        String r = reason.trim();
        if (r.matches("\\d{1,2}")) {
            int code = Integer.parseInt(r);
            if (code >= 0 && code < NAMES.size() && code != 7) {
                return code;
            }
        }
        for (int i = 0; i < NAMES.size(); i++) {
            if (!NAMES.get(i).isEmpty() && NAMES.get(i).toLowerCase(Locale.ROOT).equals(r.toLowerCase(Locale.ROOT).replace("-", "").replace("_", ""))) {
                return i;
            }
        }
        throw new IllegalArgumentException("unknown revocation reason '" + reason + "'; use one of "
                + String.join(", ", NAMES.stream().filter(n -> !n.isEmpty()).toList()));
    }

    public static String name(int code) {
        return code >= 0 && code < NAMES.size() && code != 7 ? NAMES.get(code) : Integer.toString(code);
    }
}
