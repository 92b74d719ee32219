package dev.imprint.store;

import java.time.Instant;

/**
 * A factory programming station allowed to enroll devices over EST.
 *
 * @param idPattern Java regular expression the requested device IDs must match in full
 * @param quota most certificates it may ever obtain (0 = unlimited)
 * @param ratePerSecond most issuances per second (0 = unlimited)
 * @param issued how many it has obtained so far
 * @param certSerial serial of its current station certificate
 */
public record StationRecord(
        String name,
        String idPattern,
        long quota,
        int ratePerSecond,
        long issued,
        String certSerial,
        boolean revoked,
        Instant createdAt) {}
