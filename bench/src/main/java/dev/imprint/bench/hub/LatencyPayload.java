package dev.imprint.bench.hub;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The 108-byte JSON body of the end-to-end latency runs, the same size as the throughput runs'
 * body: a run number, a sequence number and the publisher's send time. Publisher and readers live
 * in the bench JVM, so the send time is {@link System#nanoTime} (counted from this class's load,
 * so it is never negative) and a reader's receipt time is read from the same clock. Run 0 marks
 * the probes sent until a reader is ready.
 */
final class LatencyPayload {
    static final int SIZE = 108;
    static final int PROBE_RUN = 0;
    private static final long ORIGIN = System.nanoTime();
    private static final String PREFIX = "{\"e2e\":\"";
    private static final String FORMAT = PREFIX + "%03d\",\"seq\":\"%09d\",\"sentNanos\":\"%019d\",\"pad\":\"";
    // offsets of the three fixed-width fields in FORMAT's output
    private static final int RUN_AT = PREFIX.length();
    private static final int SEQ_AT = RUN_AT + 3 + "\",\"seq\":\"".length();
    private static final int SENT_AT = SEQ_AT + 9 + "\",\"sentNanos\":\"".length();
    private static final String PAD = "x".repeat(SIZE - String.format(Locale.ROOT, FORMAT, 0, 0, 0L).length() - 2);

    /** What a reader decodes from a body. */
    record Stamp(int run, int seq, long sentNanos) {}

    private LatencyPayload() {}

    /** Nanoseconds on the bench's clock. */
    static long now() {
        return System.nanoTime() - ORIGIN;
    }

    /** @param run 1-999 for a measured run, {@link #PROBE_RUN} for a probe */
    static byte[] encode(int run, int seq, long sentNanos) {
        return (String.format(Locale.ROOT, FORMAT, run, seq, sentNanos) + PAD + "\"}").getBytes(StandardCharsets.US_ASCII);
    }

    /** The stamp of a latency body; null for any other body (the throughput runs' messages). */
    static Stamp decode(byte[] body) {
        if (body.length != SIZE || !new String(body, 0, PREFIX.length(), StandardCharsets.US_ASCII).equals(PREFIX)) {
            return null;
        }
        return new Stamp((int) digits(body, RUN_AT, 3), (int) digits(body, SEQ_AT, 9), digits(body, SENT_AT, 19));
    }

    private static long digits(byte[] b, int at, int n) {
        long v = 0;
        for (int i = at; i < at + n; i++) {
            v = v * 10 + (b[i] - '0');
        }
        return v;
    }
}
