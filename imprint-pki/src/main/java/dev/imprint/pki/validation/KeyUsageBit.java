package dev.imprint.pki.validation;

/** The RFC 5280 keyUsage bits, in bit order (index = bit number). */
public enum KeyUsageBit {
    DIGITAL_SIGNATURE,
    NON_REPUDIATION,
    KEY_ENCIPHERMENT,
    DATA_ENCIPHERMENT,
    KEY_AGREEMENT,
    KEY_CERT_SIGN,
    CRL_SIGN,
    ENCIPHER_ONLY,
    DECIPHER_ONLY;

    /** True when {@code bits} (as returned by {@code X509Certificate.getKeyUsage()}) has this bit. */
    public boolean isSetIn(boolean[] bits) {
        return bits != null && bits.length > ordinal() && bits[ordinal()];
    }
}
