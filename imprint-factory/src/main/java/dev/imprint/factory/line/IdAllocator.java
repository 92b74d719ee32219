package dev.imprint.factory.line;

/**
 * Hands out device IDs {@code PREFIX + zero-padded counter}. Counters are reserved in blocks
 * through the journal (durably) before any of them is used, so after a crash the station
 * starts past every ID it may have handed out: IDs can have gaps, never repeats.
 */
public final class IdAllocator {
    private static final int BLOCK = 256;

    private final Journal journal;
    private final String prefix;
    private final int digits;
    private long next;
    private long reserved;

    public IdAllocator(Journal journal, String prefix, int digits, long start) {
        this.journal = journal;
        this.prefix = prefix;
        this.digits = digits;
        this.reserved = journal.reservedUpTo();
        this.next = Math.max(start, reserved);
        this.reserved = Math.max(reserved, next);
    }

    public synchronized String next() {
        if (next >= reserved) {
            reserved = next + BLOCK;
            journal.reserve(reserved).join();
        }
        return format(next++);
    }

    public String format(long n) {
        String s = Long.toString(n);
        return prefix + (s.length() >= digits ? s : "0".repeat(digits - s.length()) + s);
    }
}
