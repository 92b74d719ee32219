package dev.imprint.store;

import java.time.Instant;

/**
 * One device lifecycle event from the outbox (migration V11).
 *
 * @param id outbox order (commit order on SQLite; insert order on PostgreSQL)
 * @param eventId random UUID consumers deduplicate on (an event may be delivered more than once)
 * @param type {@code registered}, {@code connected}, {@code disconnected}, {@code certificate.issued}, {@code certificate.rotated}, {@code certificate.revoked}
 * @param detail JSON object with the type's fields
 */
public record DeviceEvent(long id, String eventId, String deviceId, String type, Instant at, String detail) {}
