package dev.imprint.server.cluster;

import dev.imprint.server.config.ImprintConfig;
import dev.imprint.server.config.ImprintConfig.Listener;
import dev.imprint.server.config.Roles;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where every process of a local cluster listens: each node on its own loopback address
 * (127.0.1.N) on the configured ports, HAProxy on the public addresses of the configuration in
 * front of them. The CA node is the exception when it is alone and runs nothing but ca and admin:
 * it binds the public PKI and HTTPS addresses itself, with no balancer in front.
 *
 * @param nodes in start order; the first one runs the CA and starts alone
 * @param services the balanced services, one HAProxy frontend and backend each
 * @param balancer the address HAProxy connects to the nodes from (their PROXY-protocol peer)
 */
public record ClusterPlan(List<NodeSpec> nodes, List<Service> services, String balancer) {
    public static final String BALANCER = "127.0.0.9";
    public static final String NODE_NET = "127.0.1.";
    public static final int HEALTH_PORT = 8090;

    /**
     * One node process.
     *
     * @param roles as {@code IMPRINT_CLUSTER_ROLES} takes them
     * @param address its own loopback address (listeners, unless {@code bind} is null; health)
     * @param bind where its listeners bind; null: the configured public addresses (the lone CA node)
     * @param health its plain-HTTP /health listener
     */
    public record NodeSpec(String name, String roles, String address, String bind, Listener health) {
        /** The address the node is reached at: its bind address, or the public HTTPS address for a node binding the public ones. */
        public String shownAddress(ImprintConfig config) {
            return bind != null ? bind : config.https().listener().address();
        }
    }

    /** One balanced service: a frontend on the public address, the nodes behind it. */
    public record Service(String name, Listener frontend, String balance, List<Server> servers) {}

    /** A node behind a frontend: where traffic goes and where HAProxy checks its health. */
    public record Server(String node, Listener target, Listener health) {}

    /**
     * Lays out {@code layout} over the public addresses of {@code config}.
     *
     * @throws IllegalArgumentException when two roles of one node need the same port on the node's
     *     address (dps MQTT and a hub both on 8883, two hubs), naming the group
     */
    public static ClusterPlan of(Layout layout, ImprintConfig config) {
        return of(layout, config, NODE_NET);
    }

    /**
     * The same with the nodes on {@code nodeNet} + 1, 2, ... ({@code 127.0.1.} by default).
     *
     * @throws IllegalArgumentException also when {@code nodeNet} is not three loopback octets
     */
    public static ClusterPlan of(Layout layout, ImprintConfig config, String nodeNet) {
        String net = nodeNet.endsWith(".") ? nodeNet : nodeNet + ".";
        if (!net.matches("127\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.")) {
            throw new IllegalArgumentException("node addresses '" + nodeNet + "' are not three loopback octets such as 127.0.1");
        }
        Layout.Group caGroup = layout.caGroup();
        boolean direct = layout.loneCaNode();
        List<Layout.Group> ordered = new ArrayList<>(List.of(caGroup));
        layout.groups().stream().filter(g -> g != caGroup).forEach(ordered::add);
        List<NodeSpec> nodes = new ArrayList<>();
        Map<String, List<Server>> servers = new LinkedHashMap<>();
        for (Layout.Group g : ordered) {
            Map<Integer, String> ports = ports(g.parsed(), config, g);
            for (int i = 1; i <= g.count(); i++) {
                String address = net + (nodes.size() + 1);
                Listener health = new Listener(address, HEALTH_PORT);
                boolean publicBind = direct && g == caGroup;
                nodes.add(new NodeSpec(g.label() + "-" + i, g.rolesText(), address, publicBind ? null : address, health));
                if (!publicBind) {
                    String name = g.label() + "-" + i;
                    ports.forEach((port, service) -> servers.computeIfAbsent(service, s -> new ArrayList<>())
                            .add(new Server(name, new Listener(address, port), health)));
                }
            }
        }
        List<Service> services = new ArrayList<>();
        servers.forEach((service, list) -> services.add(
                new Service(service, frontend(service, config), service.equals("dps-https") ? "roundrobin" : "leastconn", list)));
        return new ClusterPlan(List.copyOf(nodes), List.copyOf(services), BALANCER);
    }

    /** The services a node with {@code roles} serves, by the port it binds for each; refuses two on one port. */
    private static Map<Integer, String> ports(Roles roles, ImprintConfig config, Layout.Group g) {
        Map<Integer, String> out = new LinkedHashMap<>();
        out.put(HEALTH_PORT, "health");
        if (roles.ca()) {
            claim(out, config.pki().port(), "pki", g);
            claim(out, config.https().listener().port(), "https", g);
        } else if (roles.admin()) {
            claim(out, config.https().listener().port(), "https", g);
        }
        if (roles.dps()) {
            claim(out, config.dps().https().port(), "dps-https", g);
            if (config.dps().mqtt().port() >= 0) {
                claim(out, config.dps().mqtt().port(), "dps-mqtt", g);
            }
        }
        for (String hub : roles.hubs()) {
            ImprintConfig.Hub h = config.hubs().stream().filter(x -> x.name().equals(hub)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("hub " + hub + " is not in the configuration's hubs list"));
            claim(out, h.listener().port(), "hub-" + hub, g);
        }
        out.remove(HEALTH_PORT);
        return out;
    }

    private static void claim(Map<Integer, String> ports, int port, String service, Layout.Group g) {
        String other = ports.putIfAbsent(port, service);
        if (other != null) {
            throw new IllegalArgumentException("'" + g.rolesText() + "': " + other + " and " + service + " both need port " + port
                    + " on the node's address; put them on separate nodes");
        }
    }

    private static Listener frontend(String service, ImprintConfig config) {
        return switch (service) {
            case "pki" -> config.pki();
            case "https" -> config.https().listener();
            case "dps-https" -> config.dps().https();
            case "dps-mqtt" -> config.dps().mqtt();
            default -> config.hubs().stream().filter(h -> ("hub-" + h.name()).equals(service)).findFirst().orElseThrow().listener();
        };
    }

    public NodeSpec node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElse(null);
    }
}
