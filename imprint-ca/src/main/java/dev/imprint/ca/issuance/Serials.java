package dev.imprint.ca.issuance;

import dev.imprint.pki.CryptoProviders;
import java.math.BigInteger;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Locale;

/**
 * Certificate serials: 159 random bits, positive (RFC 5280 allows 20 octets; the top bit is
 * cleared so the DER INTEGER needs no sign octet). Uniqueness is enforced by the store's
 * primary key; a collision fails that issuance rather than reusing a serial.
 */
public final class Serials {
    private static final ThreadLocal<SecureRandom> RNG = ThreadLocal.withInitial(Serials::newRandom);

    private Serials() {}

    public static BigInteger random() {
        byte[] b = new byte[20];
        BigInteger v;
        do {
            RNG.get().nextBytes(b);
            b[0] &= 0x7f;
            v = new BigInteger(1, b);
        } while (v.signum() == 0);
        return v;
    }

    /** Lower-case hex without leading zeros: the store's key. */
    public static String hex(BigInteger serial) {
        return serial.toString(16);
    }

    /**
     * Normalises user input ("0A:1B", "0x0a1b", upper case) to the store's form.
     *
     * @throws IllegalArgumentException when it is not a positive hex number of at most 20 octets
     */
    public static String normalize(String input) {
        if (input == null) {
            throw new IllegalArgumentException("no serial");
        }
        String s = input.trim().toLowerCase(Locale.ROOT).replace(":", "");
        if (s.startsWith("0x")) {
            s = s.substring(2);
        }
        if (s.isEmpty() || s.length() > 42 || !s.matches("[0-9a-f]+")) {
            throw new IllegalArgumentException("not a hex serial: " + input);
        }
        BigInteger v = new BigInteger(s, 16);
        if (v.signum() == 0) {
            throw new IllegalArgumentException("serial 0 is not valid");
        }
        return v.toString(16);
    }

    private static SecureRandom newRandom() {
        try {
            return SecureRandom.getInstance("DEFAULT", CryptoProviders.fast());
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }
}
