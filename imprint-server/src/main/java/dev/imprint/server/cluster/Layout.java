package dev.imprint.server.cluster;

import dev.imprint.server.config.Roles;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which roles run on how many nodes of a local cluster, as written after {@code --nodes}:
 * groups {@code ROLES=COUNT} separated by {@code ;}, ROLES a comma list of {@code ca},
 * {@code admin}, {@code dps} and {@code hub:NAME} (see {@link Roles}). Every node of a group
 * runs the same roles; nodes are named after the group ({@code dps-1}, {@code dps-2},
 * {@code hub-1-1} for the first node of {@code hub:hub-1}).
 *
 * <p>Exactly one group runs {@code ca}: its first node is started alone first, because it
 * creates the CA hierarchy and the service credentials the other nodes read from the data folder.
 *
 * @param groups the groups in the order written
 */
public record Layout(List<Group> groups) {
    /** One {@code ca,admin} node, two DPS nodes, two nodes for each of the two default hubs. */
    public static final String DEFAULT = "ca,admin=1;dps=2;hub:hub-1=2;hub:hub-2=2";
    /** Nodes get the addresses 127.0.1.1 up to this many. */
    static final int MAX_NODES = 250;

    public Layout {
        groups = List.copyOf(groups);
    }

    /**
     * One group of identical nodes.
     *
     * @param roles the roles in the order written, e.g. {@code [ca, admin]} or {@code [hub:hub-1]}
     * @param count how many nodes run them
     */
    public record Group(List<String> roles, int count) {
        public Group {
            roles = List.copyOf(roles);
        }

        /** The roles as {@code IMPRINT_CLUSTER_ROLES} takes them: {@code ca,admin}. */
        public String rolesText() {
            return String.join(",", roles);
        }

        /** The nodes' name stem: the roles joined by '-', hubs by their name ({@code ca-admin}, {@code hub-1}). */
        public String label() {
            return String.join("-", roles.stream().map(r -> r.startsWith("hub:") ? r.substring(4) : r).toList());
        }

        public Roles parsed() {
            return Roles.parse(rolesText());
        }
    }

    /**
     * Parses a layout such as {@code ca,admin=1;dps=2;hub:hub-1=3}.
     *
     * @throws IllegalArgumentException naming what is wrong: syntax, an unknown role, a count out of
     *     range, admin without ca, no group or several groups with ca, a group written twice
     */
    public static Layout parse(String text) {
        List<Group> groups = new ArrayList<>();
        Set<Set<String>> seen = new HashSet<>();
        for (String item : text.split(";")) {
            String g = item.trim();
            if (g.isEmpty()) {
                continue;
            }
            int eq = g.lastIndexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + g + "' is not ROLES=COUNT (e.g. dps=2)");
            }
            List<String> roles = new ArrayList<>(new LinkedHashSet<>(List.of(g.substring(0, eq).replace(" ", "").split(","))));
            int count;
            try {
                count = Integer.parseInt(g.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + g + "': the count after '=' is not a number");
            }
            if (count < 1) {
                throw new IllegalArgumentException("'" + g + "': the count must be at least 1");
            }
            if (roles.contains("all")) {
                throw new IllegalArgumentException("'" + g + "': 'all' is the single process of 'imprint up'; name the roles of each node");
            }
            Roles parsed = Roles.parse(String.join(",", roles)); // names the first unknown role
            if (parsed.admin() && !parsed.ca()) {
                throw new IllegalArgumentException("'" + g + "': admin needs ca on the same node");
            }
            if (!seen.add(Set.copyOf(roles))) {
                throw new IllegalArgumentException("'" + g + "': these roles appear in two groups; give one group the total count");
            }
            groups.add(new Group(roles, count));
        }
        long caGroups = groups.stream().filter(x -> x.parsed().ca()).count();
        if (caGroups != 1) {
            throw new IllegalArgumentException((caGroups == 0 ? "no group runs ca" : "several groups run ca")
                    + ": exactly one group must (its first node creates the CA and the credentials the others use)");
        }
        int total = groups.stream().mapToInt(Group::count).sum();
        if (total > MAX_NODES) {
            throw new IllegalArgumentException(total + " nodes: at most " + MAX_NODES + " on one machine");
        }
        return new Layout(groups);
    }

    /** The group that runs the CA. */
    public Group caGroup() {
        return groups.stream().filter(g -> g.parsed().ca()).findFirst().orElseThrow();
    }

    /** The hubs some node serves, in the order they first appear. */
    public List<String> hubs() {
        Set<String> out = new LinkedHashSet<>();
        groups.forEach(g -> out.addAll(g.parsed().hubs()));
        return List.copyOf(out);
    }

    /** Whether the CA group is one node running ca and admin at most: it binds the public PKI and HTTPS addresses itself. */
    public boolean loneCaNode() {
        Roles ca = caGroup().parsed();
        return caGroup().count() == 1 && !ca.dps() && ca.hubs().isEmpty();
    }

    /** Whether any service needs HAProxy: everything but a lone CA node alone. */
    public boolean balanced() {
        return groups.size() > 1 || !loneCaNode();
    }

    public boolean runsDps() {
        return groups.stream().anyMatch(g -> g.parsed().dps());
    }

    @Override
    public String toString() {
        return String.join(";", groups.stream().map(g -> g.rolesText() + "=" + g.count()).toList());
    }
}
