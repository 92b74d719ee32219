package dev.imprint.pki.validation;

/** Extended key usage OIDs callers commonly require. */
public final class Eku {
    public static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    public static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    public static final String CODE_SIGNING = "1.3.6.1.5.5.7.3.3";
    public static final String EMAIL_PROTECTION = "1.3.6.1.5.5.7.3.4";
    public static final String TIME_STAMPING = "1.3.6.1.5.5.7.3.8";
    public static final String OCSP_SIGNING = "1.3.6.1.5.5.7.3.9";
    public static final String ANY = "2.5.29.37.0";

    private Eku() {}

    /** Maps {@code clientAuth}, {@code serverAuth} ... (case-insensitive) or a dotted OID to an OID. */
    public static String parse(String nameOrOid) {
        String s = nameOrOid.trim();
        switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "serverauth": return SERVER_AUTH;
            case "clientauth": return CLIENT_AUTH;
            case "codesigning": return CODE_SIGNING;
            case "emailprotection": return EMAIL_PROTECTION;
            case "timestamping": return TIME_STAMPING;
            case "ocspsigning": return OCSP_SIGNING;
            case "anyextendedkeyusage": return ANY;
            default:
                if (!s.matches("[0-2](\\.[0-9]+)+")) {
                    throw new IllegalArgumentException("not an EKU name or OID: " + nameOrOid);
                }
                return s;
        }
    }
}
