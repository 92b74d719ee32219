package dev.imprint.pki.validation.crl;

import java.util.Arrays;

/**
 * A memory-lean, append-only hash set of certificate serial numbers with their revocation time
 * and reason, for CRLs of millions of entries. Serials are kept as their DER INTEGER content
 * bytes in one flat array (open addressing, linear probing), not as one BigInteger and one
 * entry object each: 1,000,000 20-byte serials take about 50 MB. Lookups are O(1) and
 * allocation-free. Not thread-safe while building; safe to read from many threads once built.
 */
public final class SerialIndex {
    /** The longest serial kept inline; RFC 5280 caps serials at 20 octets (21 with a sign byte). */
    static final int MAX_LEN = 21;
    private static final int WIDTH = MAX_LEN + 1; // length byte + content

    private byte[] slots;
    private long[] times;
    private byte[] reasons;
    private int mask;
    private int size;

    public SerialIndex(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, (int) (expected / 0.6)) - 1) << 1;
        allocate(cap);
    }

    private void allocate(int cap) {
        slots = new byte[cap * WIDTH];
        times = new long[cap];
        reasons = new byte[cap];
        mask = cap - 1;
        size = 0;
    }

    public int size() {
        return size;
    }

    /**
     * Adds a serial (DER INTEGER content, i.e. {@code BigInteger.toByteArray()}).
     * @return false when the serial is longer than 21 octets (the caller must treat the CRL as invalid)
     */
    public boolean add(byte[] serial, long revokedAtEpochSecond, int reason) {
        if (serial.length == 0 || serial.length > MAX_LEN) {
            return false;
        }
        if ((size + 1) > (mask + 1) * 0.7) {
            grow();
        }
        int slot = find(serial);
        int off = slot * WIDTH;
        if (slots[off] == 0) {
            slots[off] = (byte) serial.length;
            System.arraycopy(serial, 0, slots, off + 1, serial.length);
            size++;
        }
        times[slot] = revokedAtEpochSecond;
        reasons[slot] = (byte) reason;
        return true;
    }

    /** The slot of {@code serial}, or -1 when absent. */
    public int indexOf(byte[] serial) {
        if (serial.length == 0 || serial.length > MAX_LEN) {
            return -1;
        }
        int slot = find(serial);
        return slots[slot * WIDTH] == 0 ? -1 : slot;
    }

    public long revokedAt(int slot) {
        return times[slot];
    }

    public int reason(int slot) {
        return reasons[slot];
    }

    private int find(byte[] serial) {
        int slot = hash(serial) & mask;
        while (true) {
            int off = slot * WIDTH;
            int len = slots[off];
            if (len == 0 || (len == serial.length
                    && Arrays.equals(slots, off + 1, off + 1 + len, serial, 0, len))) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
    }

    private static int hash(byte[] s) {
        int h = 0x811c9dc5;
        for (byte b : s) {
            h = (h ^ b) * 0x01000193;
        }
        return h ^ (h >>> 16);
    }

    private void grow() {
        byte[] oldSlots = slots;
        long[] oldTimes = times;
        byte[] oldReasons = reasons;
        int oldCap = mask + 1;
        allocate(oldCap * 2);
        for (int i = 0; i < oldCap; i++) {
            int off = i * WIDTH;
            int len = oldSlots[off];
            if (len != 0) {
                add(Arrays.copyOfRange(oldSlots, off + 1, off + 1 + len), oldTimes[i], oldReasons[i]);
            }
        }
    }
}
