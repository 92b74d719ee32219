package dev.imprint.device.bus;

/**
 * The messages of the factory bus, in conversation order:
 * device HELLO (its ID, or empty to ask for one) -> station ASSIGN (the ID to use);
 * device CSR (DER PKCS#10) -> station CERT (32-byte nonce + PEM chain, leaf first);
 * device PROOF (signature over the nonce and the certificate) -> station DONE.
 * Either side may send ERROR ("CODE message") and hang up.
 */
public enum FrameType {
    HELLO(1), ASSIGN(2), CSR(3), CERT(4), PROOF(5), DONE(6), ERROR(15);

    public final int code;

    FrameType(int code) {
        this.code = code;
    }

    /** @throws BusException UNKNOWN_TYPE */
    public static FrameType of(int code) {
        for (FrameType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new BusException(BusException.Reason.UNKNOWN_TYPE, "unknown frame type " + code);
    }
}
