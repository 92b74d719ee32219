package dev.imprint.pki.validation;

/**
 * Where step 4 takes the identity from. The validator is configured with an ordered list; the
 * first source that yields a value wins. Never a thumbprint: a rotated certificate keeps its
 * identity.
 */
public enum IdentitySource {
    /** The subject's (last) commonName. */
    SUBJECT_CN,
    /** The first uniformResourceIdentifier subjectAltName (Imprint puts the device ID here). */
    SAN_URI,
    /** The first dNSName subjectAltName. */
    SAN_DNS,
    /** The first rfc822Name subjectAltName. */
    SAN_RFC822,
    /** The first iPAddress subjectAltName, in textual form. */
    SAN_IP,
    /** The whole subject DN (RFC 2253 form), when not empty: a last resort for generic tools. */
    SUBJECT_DN
}
