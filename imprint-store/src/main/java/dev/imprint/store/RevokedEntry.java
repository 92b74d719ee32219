package dev.imprint.store;

import java.time.Instant;

/** One CRL entry: serial, time and RFC 5280 reason code; {@code seq} orders revocations per CA. */
public record RevokedEntry(long seq, String serialHex, Instant revokedAt, int reason) {}
