package dev.imprint.store;

import java.time.Instant;
import java.util.List;

/**
 * An operator account: a person who uses the admin API, the CLI or the console.
 *
 * @param role the role's name ({@code admin}, {@code security}, {@code operator}, {@code factory}, {@code auditor})
 * @param stations the stations a {@code factory} account may see; empty for the other roles
 * @param certSerial lower-case hex serial of the account's client certificate; null for the
 *     credential {@code imprint up} writes to {@code <data>/admin/}
 * @param createdBy the actor who created it ({@code admin:NAME}, {@code operator:NAME}, {@code migration})
 * @param revokedAt null while the account is live
 */
public record OperatorRecord(String name, String role, List<String> stations, String certSerial, Instant createdAt,
        String createdBy, Instant revokedAt) {
    public OperatorRecord {
        stations = List.copyOf(stations);
    }

    public boolean revoked() {
        return revokedAt != null;
    }
}
