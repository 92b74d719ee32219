package dev.imprint.cluster;

import java.time.Instant;
import java.util.Set;

/**
 * A node as the node table records it.
 *
 * @param name unique in the cluster ({@code --node})
 * @param roles what it runs: {@code ca}, {@code admin}, {@code dps}, {@code hub:NAME}
 * @param address where operators and other nodes reach it (advertised address)
 * @param pid its operating-system process ID on its machine
 * @param startedAt when this process registered
 * @param leaseUntil dead after this unless the heartbeat extends it
 * @param sessions device sessions it holds (hub nodes), as the directory counts them
 */
public record NodeInfo(String name, Set<String> roles, String address, long pid, Instant startedAt, Instant leaseUntil, int sessions) {
    public NodeInfo {
        roles = Set.copyOf(roles);
    }

    public boolean live(Instant now) {
        return leaseUntil.isAfter(now);
    }
}
