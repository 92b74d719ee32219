package dev.imprint.mqtt.proxy;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The addresses of the TCP load balancers in front of a listener (config {@code cluster.balancers}):
 * the only peers allowed, and required, to open a connection with a PROXY protocol header.
 * Empty means no balancer: listeners behave exactly as without PROXY protocol support.
 */
public final class Balancers {
    private static final Balancers NONE = new Balancers(List.of(), List.of());

    private final List<String> entries;
    private final List<IpSubnetFilterRule> rules;

    private Balancers(List<String> entries, List<IpSubnetFilterRule> rules) {
        this.entries = entries;
        this.rules = rules;
    }

    public static Balancers none() {
        return NONE;
    }

    /**
     * @param entries IP literals ({@code 10.0.0.5}, {@code ::1}) or CIDRs ({@code 10.0.0.0/24});
     *     host names are refused (a balancer's identity must not depend on DNS)
     * @throws IllegalArgumentException naming every entry that is not an IP address or CIDR
     */
    public static Balancers of(List<String> entries) {
        List<String> kept = new ArrayList<>();
        List<IpSubnetFilterRule> rules = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        for (String raw : entries) {
            String e = raw.trim();
            if (e.isEmpty()) {
                continue;
            }
            try {
                rules.add(rule(e));
                kept.add(e);
            } catch (IllegalArgumentException ex) {
                bad.add(e);
            }
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("not an IP address or CIDR: " + String.join(", ", bad));
        }
        return rules.isEmpty() ? NONE : new Balancers(List.copyOf(kept), List.copyOf(rules));
    }

    /** Parses a comma list, as in {@code IMPRINT_CLUSTER_BALANCERS=10.0.0.5,10.0.1.0/24}. */
    public static Balancers parse(String commaList) {
        return commaList == null ? NONE : of(List.of(commaList.split(",")));
    }

    private static IpSubnetFilterRule rule(String e) {
        int slash = e.indexOf('/');
        String ip = slash < 0 ? e : e.substring(0, slash);
        if (!NetUtil.isValidIpV4Address(ip) && !NetUtil.isValidIpV6Address(ip)) {
            throw new IllegalArgumentException(e);
        }
        InetAddress addr;
        try {
            addr = InetAddress.getByAddress(NetUtil.createByteArrayFromIpAddressString(ip));
        } catch (UnknownHostException ex) {
            throw new IllegalArgumentException(e, ex);
        }
        int max = addr.getAddress().length * 8;
        int prefix;
        try {
            prefix = slash < 0 ? max : Integer.parseInt(e.substring(slash + 1));
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException(e, ex);
        }
        if (prefix < 0 || prefix > max) {
            throw new IllegalArgumentException(e);
        }
        return new IpSubnetFilterRule(addr, prefix, IpFilterRuleType.ACCEPT);
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /** True when the TCP peer is one of the balancers (false for non-IP addresses). */
    public boolean contains(SocketAddress peer) {
        if (!(peer instanceof InetSocketAddress isa) || isa.getAddress() == null) {
            return false;
        }
        for (IpSubnetFilterRule r : rules) {
            if (r.matches(isa)) {
                return true;
            }
        }
        return false;
    }

    /** The entries as configured (for logs and docs). */
    public List<String> entries() {
        return entries;
    }

    @Override
    public String toString() {
        return String.join(",", entries);
    }
}
