package dev.imprint.store;

import java.time.Instant;

/** Where a device was last connected and when it was last seen. */
public record PresenceRecord(String deviceId, String hub, boolean connected, Instant connectedAt, Instant lastSeen) {}
