package dev.imprint.store;

import java.util.List;
import java.util.Optional;

/** A tamper-evident log: each entry carries the hash of the one before it. */
public interface AuditLog {

    /** Appends an entry durably; chain order is the order of successful appends. */
    AuditEvent append(String type, String actor, String subject, String detailsJson);

    List<AuditEvent> list(long afterSeq, int limit);

    /**
     * Recomputes the chain from the first entry.
     *
     * @return the first entry whose hash or link does not match, empty when intact
     */
    Optional<AuditBreak> verify();

    record AuditBreak(long seq, String why) {}
}
