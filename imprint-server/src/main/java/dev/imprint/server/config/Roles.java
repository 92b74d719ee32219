package dev.imprint.server.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one node runs: {@code ca} (CA, EST, PKI repository, OCSP), {@code admin} (admin API,
 * console), {@code dps}, and {@code hub:NAME} for each logical hub it serves. {@link #ALL} is
 * the single process of {@code imprint up}: every role, every configured hub.
 *
 * @param hubs the hubs served; null with {@code all} (every configured hub)
 */
public record Roles(boolean ca, boolean admin, boolean dps, List<String> hubs) {
    public static final Roles ALL = new Roles(true, true, true, null);

    /**
     * Parses {@code all} or a comma list such as {@code ca,admin} or {@code hub:hub-1,hub:hub-2}.
     *
     * @throws IllegalArgumentException naming the first unknown role
     */
    public static Roles parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.isEmpty() || t.equals("all")) {
            return ALL;
        }
        boolean ca = false;
        boolean admin = false;
        boolean dps = false;
        Set<String> hubs = new LinkedHashSet<>();
        for (String part : t.split(",")) {
            String r = part.trim();
            switch (r) {
                case "ca" -> ca = true;
                case "admin" -> admin = true;
                case "dps" -> dps = true;
                default -> {
                    if (r.startsWith("hub:") && r.length() > 4) {
                        hubs.add(r.substring(4));
                    } else {
                        throw new IllegalArgumentException("unknown role '" + r + "' (known: ca, admin, dps, hub:NAME, or all)");
                    }
                }
            }
        }
        return new Roles(ca, admin, dps, List.copyOf(hubs));
    }

    public boolean all() {
        return hubs == null;
    }

    /** Whether this node serves the logical hub {@code name}. */
    public boolean servesHub(String name) {
        return hubs == null || hubs.contains(name);
    }

    /** The roles as the node table records them, with every hub named. */
    public List<String> names(List<String> configuredHubs) {
        List<String> out = new ArrayList<>();
        if (ca) {
            out.add("ca");
        }
        if (admin) {
            out.add("admin");
        }
        if (dps) {
            out.add("dps");
        }
        for (String h : hubs == null ? configuredHubs : hubs) {
            out.add("hub:" + h);
        }
        return out;
    }

    @Override
    public String toString() {
        return all() ? "all" : String.join(",", names(List.of()));
    }
}
