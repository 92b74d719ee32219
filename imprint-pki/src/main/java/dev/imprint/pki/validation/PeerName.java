package dev.imprint.pki.validation;

import java.util.Objects;

/**
 * A name the leaf must be valid for, matched against its subjectAltNames the way a TLS client
 * matches a server (RFC 6125: DNS with a left-most wildcard, IP by octets, rfc822 exactly).
 * A mismatch is {@link ReasonCode#IDENTITY_MISMATCH}.
 */
public record PeerName(Kind kind, String value) {
    public enum Kind { DNS, IP, RFC822, URI }

    public PeerName {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
    }

    /** Parses {@code KIND:VALUE}, e.g. {@code dns:hub-1.example} or {@code ip:127.0.0.3}. */
    public static PeerName parse(String kindColonValue) {
        int i = kindColonValue.indexOf(':');
        if (i <= 0) {
            throw new IllegalArgumentException("expected KIND:VALUE, got " + kindColonValue);
        }
        Kind kind = Kind.valueOf(kindColonValue.substring(0, i).toUpperCase(java.util.Locale.ROOT));
        return new PeerName(kind, kindColonValue.substring(i + 1));
    }
}
