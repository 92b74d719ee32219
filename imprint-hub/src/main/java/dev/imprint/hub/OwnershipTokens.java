package dev.imprint.hub;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS's certificate ownership token, made unforgeable without a table: an HMAC-SHA256, under a
 * key only the endpoint's nodes hold, over the thing it was issued to, the certificate and the
 * expiry (1 h, as AWS). A token names its thing, so one device cannot register with another's.
 * The key is the store's shared secret {@link #KEY_NAME} (migration V14), so a token minted on one
 * node, or before a restart, is accepted on any node: a device whose connection moved between
 * create-from-csr and RegisterThing (a balancer, a restart) needs no new certificate.
 */
final class OwnershipTokens {
    static final Duration TTL = Duration.ofHours(1);
    /** The name of the key among the store's shared secrets. */
    static final String KEY_NAME = "aws.ownershipTokens";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final byte[] key;
    private final Clock clock;

    /** @param key the HMAC key, at least 32 bytes: every node that should accept each other's tokens has the same */
    OwnershipTokens(Clock clock, byte[] key) {
        if (key == null || key.length < 32) {
            throw new IllegalArgumentException("an ownership token key has at least 32 bytes");
        }
        this.key = key.clone();
        this.clock = clock;
    }

    /** A new random key (32 bytes), for the store's shared secret or a node of its own. */
    static byte[] newKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return k;
    }

    /** A token for {@code thing}'s new certificate {@code certificateId}, valid {@link #TTL}. */
    String mint(String thing, String certificateId) {
        String claims = thing + "\n" + certificateId + "\n" + clock.instant().plus(TTL).toEpochMilli();
        byte[] c = claims.getBytes(StandardCharsets.UTF_8);
        return B64.encodeToString(c) + "." + B64.encodeToString(mac(c));
    }

    /** Why {@code token} does not let {@code thing} register: null when it does, else a reason code. */
    String refusal(String token, String thing) {
        if (token == null || token.isEmpty()) {
            return "OWNERSHIP_TOKEN_MISSING";
        }
        int dot = token.indexOf('.');
        byte[] claims;
        byte[] mac;
        try {
            claims = Base64.getUrlDecoder().decode(token.substring(0, Math.max(0, dot)));
            mac = Base64.getUrlDecoder().decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return "OWNERSHIP_TOKEN_INVALID";
        }
        if (dot < 0 || !MessageDigest.isEqual(mac, mac(claims))) {
            return "OWNERSHIP_TOKEN_INVALID";
        }
        String[] parts = new String(claims, StandardCharsets.UTF_8).split("\n", -1);
        if (parts.length != 3 || !parts[0].equals(thing)) {
            return "OWNERSHIP_TOKEN_NOT_YOURS";
        }
        return Long.parseLong(parts[2]) <= clock.millis() ? "OWNERSHIP_TOKEN_EXPIRED" : null;
    }

    private byte[] mac(byte[] data) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return m.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
