package dev.imprint.device.bus;

/** A bus failure with a stable reason code; the conversation with that peer is over. */
public final class BusException extends RuntimeException {
    /** Why a conversation ended. */
    public enum Reason {
        /** Nothing (or not enough) arrived before the deadline. */
        TIMEOUT,
        /** The peer hung up. */
        CLOSED,
        /** The bytes are not a frame of this protocol (wrong magic). */
        BAD_MAGIC,
        /** A frame of another protocol version. */
        BAD_VERSION,
        UNKNOWN_TYPE,
        FRAME_TOO_LARGE,
        /** A valid frame at the wrong point of the conversation, or a payload that does not parse. */
        PROTOCOL,
        /** The peer sent ERROR; {@link #peerCode()} has its code. */
        PEER_ERROR,
        /** Opening or using the transport failed. */
        IO
    }

    private final Reason reason;
    private final String peerCode;

    public BusException(Reason reason, String message) {
        this(reason, message, (Throwable) null);
    }

    public BusException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.peerCode = null;
    }

    BusException(Reason reason, String peerCode, String message) {
        super(peerCode + ": " + message);
        this.reason = reason;
        this.peerCode = peerCode;
    }

    public Reason reason() {
        return reason;
    }

    /** The code of the peer's ERROR frame, or the reason name. */
    public String code() {
        return peerCode != null ? peerCode : reason.name();
    }
}
