package dev.imprint.server.console;

import dev.imprint.ca.Authority;
import dev.imprint.store.AuditEvent;
import dev.imprint.store.AuditLog;
import dev.imprint.store.Store;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the console shows that the admin API has no route for: the overview counts and the latest audit entries. */
final class ConsoleQueries {
    private ConsoleQueries() {}

    /** Counts for the overview; DPS-side counts are read from the shared store (zero when the DPS role is off). */
    static Map<String, Object> overview(Authority authority, Store store) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("devices", store.deviceRegistry().count());
        m.put("certificates", store.certificates().count());
        m.put("hubs", store.hubs().list().size());
        m.put("enrollments", store.enrollments().list().size());
        m.put("stations", authority.stations().list().size());
        m.put("auditEntries", head(store.audit()));
        return m;
    }

    /** The newest {@code n} audit entries, newest first. */
    static List<Map<String, Object>> latestAudit(AuditLog log, int n) {
        long head = head(log);
        List<AuditEvent> events = new ArrayList<>(log.list(Math.max(0, head - n), n));
        Collections.reverse(events);
        return events.stream().map(ConsoleQueries::audit).toList();
    }

    /**
     * The highest seq (the count, since seqs are gap-free from 1), found with O(log n) one-row
     * reads: the log has no count or descending read.
     */
    static long head(AuditLog log) {
        if (log.list(0, 1).isEmpty()) {
            return 0;
        }
        long lo = 0; // an entry exists after lo
        long hi = 1;
        while (!log.list(hi, 1).isEmpty()) {
            lo = hi;
            hi *= 2;
        }
        // an entry exists after lo, none after hi
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            if (log.list(mid, 1).isEmpty()) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    private static Map<String, Object> audit(AuditEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", e.seq());
        m.put("at", e.at() == null ? null : e.at().toString());
        m.put("type", e.type());
        m.put("actor", e.actor());
        m.put("subject", e.subject());
        m.put("details", e.detailsJson());
        return m;
    }
}
