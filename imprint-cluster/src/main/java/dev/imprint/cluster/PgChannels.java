package dev.imprint.cluster;

import java.util.Locale;

/** Names of the PostgreSQL notification channels of the node bus. */
final class PgChannels {
    /** Every node listens here; the payload is the doorbell's name. */
    static final String DOORBELL = "imprint_doorbell";

    private static final String INBOX_PREFIX = "imprint_node_";
    /** PostgreSQL truncates identifiers to 63 bytes; keep room for the prefix and the hash. */
    private static final int MAX_NAME_PART = 63 - INBOX_PREFIX.length() - 9;

    private PgChannels() {
    }

    /**
     * The channel of a node's inbox: its name lower-cased, anything but {@code [a-z0-9_]} as
     * {@code _}, cut to fit, and a hash of the exact name, so that {@code Hub-1} and {@code hub_1}
     * rarely share a channel. Sharing one would only cost the other node an empty read: the rows
     * are addressed by exact name.
     */
    static String inbox(String node) {
        String part = node.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (part.length() > MAX_NAME_PART) {
            part = part.substring(0, MAX_NAME_PART);
        }
        return INBOX_PREFIX + part + "_" + String.format("%08x", node.hashCode());
    }

    /** A channel as a quoted identifier for {@code LISTEN} (the characters are already safe). */
    static String quoted(String channel) {
        return '"' + channel + '"';
    }
}
