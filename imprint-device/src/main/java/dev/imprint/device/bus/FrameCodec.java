package dev.imprint.device.bus;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Wire format: magic {@code 'I' 'F'}, version 1, type (1 byte), payload length (4 bytes,
 * big-endian), payload. The header is checked before the length is trusted, so garbage is
 * refused after at most 8 bytes and never makes the reader allocate more than {@link #MAX_PAYLOAD}.
 */
public final class FrameCodec {
    public static final int MAX_PAYLOAD = 64 * 1024;
    public static final int HEADER = 8;
    static final byte M0 = 'I';
    static final byte M1 = 'F';
    static final byte VERSION = 1;

    private FrameCodec() {}

    public static byte[] header(Frame f) {
        int n = f.payload().length;
        return new byte[] {M0, M1, VERSION, (byte) f.type().code, (byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
    }

    public static void write(OutputStream out, Frame f) throws IOException {
        byte[] h = header(f);
        byte[] all = new byte[h.length + f.payload().length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(f.payload(), 0, all, h.length, f.payload().length);
        out.write(all);
        out.flush();
    }

    /**
     * Checks a header and returns the payload length.
     *
     * @throws BusException BAD_MAGIC, BAD_VERSION, UNKNOWN_TYPE or FRAME_TOO_LARGE
     */
    public static int payloadLength(byte[] h) {
        if (h[0] != M0 || h[1] != M1) {
            throw new BusException(BusException.Reason.BAD_MAGIC, String.format("not a bus frame (starts with %02x %02x)", h[0], h[1]));
        }
        if (h[2] != VERSION) {
            throw new BusException(BusException.Reason.BAD_VERSION, "bus protocol version " + h[2] + " (this side speaks " + VERSION + ")");
        }
        FrameType.of(h[3] & 0xff);
        long n = ((h[4] & 0xffL) << 24) | ((h[5] & 0xff) << 16) | ((h[6] & 0xff) << 8) | (h[7] & 0xff);
        if (n > MAX_PAYLOAD) {
            throw new BusException(BusException.Reason.FRAME_TOO_LARGE, "frame of " + n + " bytes exceeds " + MAX_PAYLOAD);
        }
        return (int) n;
    }
}
