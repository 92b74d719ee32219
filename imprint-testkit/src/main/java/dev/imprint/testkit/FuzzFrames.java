package dev.imprint.testkit;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Several byte strings in one fuzz input, so a target that takes a list (a certificate chain,
 * an HTTP method + path + body) still gets one flat {@code byte[]} the fuzzer can mutate.
 * Each frame is a two-byte big-endian length and that many bytes; a short last frame takes
 * what is left, so every input splits into something.
 */
public final class FuzzFrames {
    private FuzzFrames() {}

    /** At most {@code max} frames from {@code data}. */
    public static List<byte[]> split(byte[] data, int max) {
        List<byte[]> out = new ArrayList<>();
        int at = 0;
        while (at < data.length && out.size() < max) {
            if (at + 2 > data.length) {
                break;
            }
            int len = ((data[at] & 0xff) << 8) | (data[at + 1] & 0xff);
            at += 2;
            int end = Math.min(data.length, at + len);
            byte[] frame = new byte[end - at];
            System.arraycopy(data, at, frame, 0, frame.length);
            out.add(frame);
            at = end;
        }
        return out;
    }

    /** The input that {@link #split} turns back into {@code frames} (each at most 65535 bytes). */
    public static byte[] join(List<byte[]> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] f : frames) {
            if (f.length > 0xffff) {
                throw new IllegalArgumentException("frame longer than 65535 bytes");
            }
            out.write(f.length >> 8);
            out.write(f.length & 0xff);
            out.write(f, 0, f.length);
        }
        return out.toByteArray();
    }

    /** {@link #join} of byte arrays. */
    public static byte[] join(byte[]... frames) {
        return join(List.of(frames));
    }
}
