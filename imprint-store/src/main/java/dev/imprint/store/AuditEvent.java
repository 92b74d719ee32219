package dev.imprint.store;

import java.time.Instant;

/**
 * One entry of the hash-chained audit log.
 *
 * @param seq position in the chain, from 1
 * @param type e.g. "cert.issued", "cert.revoked", "station.created", "station.revoked"
 * @param actor who did it ("admin:NAME", "station:NAME", "system")
 * @param subject what it concerns (a serial, a station name)
 * @param detailsJson a JSON object with the rest
 * @param prevHash hex SHA-256 of the previous entry ("" for the first)
 * @param hash hex SHA-256 over seq, time, type, actor, subject, details and prevHash
 */
public record AuditEvent(
        long seq, Instant at, String type, String actor, String subject, String detailsJson, String prevHash, String hash) {}
