package dev.imprint.server.console;

import dev.imprint.ca.Authority;
import dev.imprint.store.AuditEvent;
import dev.imprint.store.AuditLog;
import dev.imprint.store.Store;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the console shows that the admin API has no route for: the overview counts. */
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

    /** The highest seq (the count, since seqs are gap-free from 1). */
    static long head(AuditLog log) {
        List<AuditEvent> newest = log.latest(List.of(), Long.MAX_VALUE, 1);
        return newest.isEmpty() ? 0 : newest.get(0).seq();
    }
}
