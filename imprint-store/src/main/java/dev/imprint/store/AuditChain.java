package dev.imprint.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The canonical encoding and hash of an audit entry. SHA-256 over: the tag
 * {@code "imprint-audit-v1"}, then seq and time (epoch milliseconds) as 8-byte big-endian
 * integers, then type, actor, subject, details and prevHash, each as a 4-byte big-endian
 * length followed by its UTF-8 bytes (length -1 for null). Length prefixes make the encoding
 * unambiguous: no two different entries share a byte string. Result in lower-case hex.
 */
final class AuditChain {
    private static final byte[] TAG = "imprint-audit-v1".getBytes(StandardCharsets.US_ASCII);

    private AuditChain() {}

    static String hash(long seq, Instant at, String type, String actor, String subject, String details, String prevHash) {
        MessageDigest sha = sha256();
        sha.update(TAG);
        sha.update(ByteBuffer.allocate(16).putLong(seq).putLong(at.toEpochMilli()).array());
        for (String field : new String[] {type, actor, subject, details, prevHash}) {
            if (field == null) {
                sha.update(ByteBuffer.allocate(4).putInt(-1).array());
            } else {
                byte[] b = field.getBytes(StandardCharsets.UTF_8);
                sha.update(ByteBuffer.allocate(4).putInt(b.length).array());
                sha.update(b);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    static String hash(AuditEvent e) {
        return hash(e.seq(), e.at(), e.type(), e.actor(), e.subject(), e.detailsJson(), e.prevHash());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JRE", e);
        }
    }
}
