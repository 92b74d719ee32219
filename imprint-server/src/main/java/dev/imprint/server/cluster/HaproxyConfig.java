package dev.imprint.server.cluster;

/**
 * The HAProxy configuration of a local cluster: one TCP frontend and backend per balanced service.
 *
 * <p>Why TCP mode: TLS must reach the node untouched (the hub and DPS validate the device's
 * certificate in the handshake). Why PROXY v2 ({@code send-proxy-v2}): the node still learns the
 * device's real address for logs and rate limits; it accepts the header only from
 * {@link ClusterPlan#balancer()}, which every connection to a node comes {@code source}d from.
 * Health checks go to the node's plain-HTTP /health on its own port: with {@code port} set
 * HAProxy sends no PROXY header on checks. {@code redispatch} retries a connection to a node that
 * died before the checks noticed on another node.
 */
public final class HaproxyConfig {
    /** Idle timeout of a tunnel: above 1.5 times the longest MQTT keep-alive (hub.maxKeepAliveSeconds 1200). */
    static final String IDLE_TIMEOUT = "1h";

    private HaproxyConfig() {}

    /** With the PROXY protocol. */
    public static String render(ClusterPlan plan, java.nio.file.Path statsSocket) {
        return render(plan, statsSocket, true);
    }

    /**
     * @param statsSocket HAProxy's stats socket ('show stat' for 'cluster status'); null for none
     * @param proxyProtocol whether to send the PROXY v2 header (off: nodes see the balancer's address; for nodes without it)
     */
    public static String render(ClusterPlan plan, java.nio.file.Path statsSocket, boolean proxyProtocol) {
        StringBuilder b = new StringBuilder();
        b.append("# written by 'imprint cluster up' on every start; edits are lost\n");
        b.append("global\n");
        b.append("    # no log target: the state of each node shows in 'imprint cluster status'\n");
        if (statsSocket != null) {
            b.append("    stats socket ").append(statsSocket).append(" mode 600 level user\n");
        }
        b.append("defaults\n");
        b.append("    mode tcp\n");
        b.append("    timeout connect 3s\n");
        b.append("    timeout client ").append(IDLE_TIMEOUT).append('\n');
        b.append("    timeout server ").append(IDLE_TIMEOUT).append('\n');
        b.append("    timeout check 2s\n");
        b.append("    retries 2\n");
        b.append("    option redispatch 1\n");
        b.append("    default-server inter 1s fall 2 rise 1\n");
        for (ClusterPlan.Service s : plan.services()) {
            b.append('\n');
            b.append("frontend ").append(s.name()).append('\n');
            b.append("    bind ").append(s.frontend().hostPort()).append('\n');
            b.append("    default_backend ").append(s.name()).append('\n');
            b.append("backend ").append(s.name()).append('\n');
            b.append("    balance ").append(s.balance()).append('\n');
            b.append("    option httpchk GET /health\n");
            b.append("    http-check expect status 200\n");
            for (ClusterPlan.Server srv : s.servers()) {
                b.append("    server ").append(srv.node()).append(' ').append(srv.target().hostPort())
                        .append(" source ").append(plan.balancer())
                        .append(proxyProtocol ? " send-proxy-v2" : "").append(" check addr ").append(srv.health().address())
                        .append(" port ").append(srv.health().port()).append('\n');
            }
        }
        return b.toString();
    }
}
