package dev.imprint.dps.allocation;

import dev.imprint.store.HubRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Consistent weighted hashing (weighted rendezvous hashing): each hub scores
 * {@code weight / -ln(u)} with {@code u} a uniform hash of (registration ID, hub name); the
 * highest score wins. A device lands on a hub with probability weight / total, the same device
 * always lands on the same hub, and adding a hub moves only the devices it now wins (its share),
 * removing one moves only its own devices.
 */
public final class WeightedHashing implements AllocationPolicy {

    @Override
    public Allocation allocate(AllocationRequest r) {
        return Allocation.to(choose(r.registrationId(), r.candidates()));
    }

    /** The hub of {@code id} among {@code hubs} (not empty). */
    public static HubRecord choose(String id, List<HubRecord> hubs) {
        HubRecord best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (HubRecord h : hubs) {
            double score = h.weight() / -Math.log(uniform(id, h.name()));
            // ties (practically impossible) go to the smaller name, so every node decides alike
            if (score > bestScore || (score == bestScore && best != null && h.name().compareTo(best.name()) < 0)) {
                best = h;
                bestScore = score;
            }
        }
        return best;
    }

    /** A value in (0, 1) from the first 53 bits of SHA-256(id, 0, hub). */
    static double uniform(String id, String hub) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        md.update(id.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        byte[] d = md.digest(hub.getBytes(StandardCharsets.UTF_8));
        long bits = 0;
        for (int i = 0; i < 8; i++) {
            bits = (bits << 8) | (d[i] & 0xff);
        }
        return ((bits >>> 11) + 0.5) / (1L << 53);
    }
}
