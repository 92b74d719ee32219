package dev.imprint.store;

import java.time.Instant;

/**
 * One device-to-cloud message as stored by a hub.
 *
 * @param seq arrival order (0 before it is stored)
 * @param properties the message's properties as a JSON object ({@code {}} when none)
 */
public record TelemetryRecord(long seq, String deviceId, String hub, Instant receivedAt, String properties, byte[] body) {}
