package dev.imprint.store;

import java.time.Instant;

/**
 * A queued cloud-to-device message: kept until the device acknowledges it (QoS 1) or it expires.
 *
 * @param seq queue order (0 before it is stored)
 * @param properties application properties as a JSON object
 */
public record C2dMessage(long seq, String deviceId, String messageId, String properties, byte[] body, Instant enqueuedAt,
        Instant expiresAt) {}
