package dev.imprint.device.bus;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** One message on the bus. Payloads are at most {@link FrameCodec#MAX_PAYLOAD} bytes. */
public record Frame(FrameType type, byte[] payload) {
    public Frame {
        Objects.requireNonNull(type, "type");
        payload = payload == null ? new byte[0] : payload;
        if (payload.length > FrameCodec.MAX_PAYLOAD) {
            throw new BusException(BusException.Reason.FRAME_TOO_LARGE, type + " payload of " + payload.length
                    + " bytes exceeds " + FrameCodec.MAX_PAYLOAD);
        }
    }

    public static Frame text(FrameType type, String text) {
        return new Frame(type, text.getBytes(StandardCharsets.UTF_8));
    }

    public static Frame error(String code, String message) {
        return text(FrameType.ERROR, code + " " + message);
    }

    public String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /**
     * Fails unless this frame is of {@code expected} type; an ERROR frame from the peer becomes
     * a {@link BusException} with reason PEER_ERROR carrying the peer's code.
     */
    public Frame expect(FrameType expected) {
        if (type == expected) {
            return this;
        }
        if (type == FrameType.ERROR) {
            String t = text();
            int sp = t.indexOf(' ');
            throw new BusException(BusException.Reason.PEER_ERROR, sp < 0 ? t : t.substring(0, sp), sp < 0 ? "" : t.substring(sp + 1));
        }
        throw new BusException(BusException.Reason.PROTOCOL, "expected " + expected + ", got " + type);
    }
}
