package dev.imprint.store;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How telemetry is stored (V17): one row per run of a device's messages in one writer batch
 * (same hub, at most {@link #MAX_MESSAGES} messages or about {@link #MAX_BYTES}), its messages
 * packed into one blob. The writer then pays one b-tree insert, one index entry and one later
 * delete per run instead of per message: with rows per message, the {@code (device_id, seq)}
 * index alone cost about 1.2 us of the writer's CPU per message while devices interleave.
 *
 * <p>Format 1, big-endian: a format byte, then per message in arrival order its
 * {@code received_at} (epoch ms, 8 bytes), the length (4 bytes) and UTF-8 bytes of its properties
 * (a JSON object), the length (4 bytes) and bytes of its body. Messages are numbered in arrival
 * order; a row's key is the number of its newest message, so message {@code i} of a row of
 * {@code n} is number {@code lastSeq - (n - 1 - i)}.
 */
public final class TelemetryChunk {
    /** Messages per row at most: a console read of a device's newest few unpacks at most this many. */
    static final int MAX_MESSAGES = 256;
    /** Bytes per row, about: a run ends at the first message past it (a larger message is a row of its own). */
    static final int MAX_BYTES = 128 * 1024;
    private static final byte FORMAT = 1;
    private static final int PER_MESSAGE = 8 + 4 + 4;
    private static final String NO_PROPERTIES = "{}";
    private static final byte[] NO_PROPERTIES_UTF8 = NO_PROPERTIES.getBytes(StandardCharsets.UTF_8);

    private TelemetryChunk() {}

    /**
     * How many records from {@code from} on make one row: the same device and hub, within the
     * limits (the properties counted at their worst-case UTF-8 size, so no encoding here).
     */
    static int runLength(List<TelemetryRecord> records, int from) {
        TelemetryRecord first = records.get(from);
        int end = Math.min(records.size(), from + MAX_MESSAGES);
        long bytes = size(first);
        int i = from + 1;
        while (i < end) {
            TelemetryRecord r = records.get(i);
            bytes += size(r);
            if (bytes > MAX_BYTES || !r.deviceId().equals(first.deviceId()) || !r.hub().equals(first.hub())) {
                break;
            }
            i++;
        }
        return i - from;
    }

    private static long size(TelemetryRecord r) {
        return PER_MESSAGE + 3L * r.properties().length() + r.body().length;
    }

    /** The blob of records {@code from} (inclusive) to {@code to} (exclusive). */
    static byte[] pack(List<TelemetryRecord> records, int from, int to) {
        byte[][] properties = new byte[to - from][];
        int size = 1;
        for (int i = from; i < to; i++) {
            TelemetryRecord r = records.get(i);
            byte[] p = NO_PROPERTIES.equals(r.properties()) ? NO_PROPERTIES_UTF8 : r.properties().getBytes(StandardCharsets.UTF_8);
            properties[i - from] = p;
            size += PER_MESSAGE + p.length + r.body().length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(FORMAT);
        for (int i = from; i < to; i++) {
            TelemetryRecord r = records.get(i);
            byte[] p = properties[i - from];
            out.putLong(r.receivedAt().toEpochMilli()).putInt(p.length).put(p).putInt(r.body().length).put(r.body());
        }
        return out.array();
    }

    /**
     * The messages of one stored row, oldest first.
     *
     * @throws StoreException when the blob is not a whole chunk of a known format
     */
    public static List<TelemetryRecord> unpack(long lastSeq, int count, String deviceId, String hub, byte[] blob) {
        List<TelemetryRecord> out = new ArrayList<>(count);
        ByteBuffer in = ByteBuffer.wrap(blob);
        try {
            byte format = in.get();
            if (format != FORMAT) {
                throw damaged(lastSeq, deviceId, "format " + format + " is unknown");
            }
            for (int i = 0; i < count; i++) {
                Instant at = Instant.ofEpochMilli(in.getLong());
                String properties = text(in, in.getInt());
                byte[] body = new byte[in.getInt()];
                in.get(body);
                out.add(new TelemetryRecord(lastSeq - (count - 1 - i), deviceId, hub, at, properties, body));
            }
        } catch (BufferUnderflowException | IllegalArgumentException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw damaged(lastSeq, deviceId, "it ends early or has a bad length");
        }
        if (in.hasRemaining()) {
            throw damaged(lastSeq, deviceId, in.remaining() + " bytes follow its " + count + " messages");
        }
        return out;
    }

    private static String text(ByteBuffer in, int length) {
        if (length == NO_PROPERTIES_UTF8.length && in.remaining() >= length && in.get(in.position()) == '{'
                && in.get(in.position() + 1) == '}') {
            in.position(in.position() + length);
            return NO_PROPERTIES;
        }
        String s = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return s;
    }

    private static StoreException damaged(long lastSeq, String deviceId, String why) {
        return new StoreException("the stored telemetry of " + deviceId + " up to message " + lastSeq + " is damaged: " + why, null);
    }
}
