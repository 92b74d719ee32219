package dev.imprint.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Certificate ownership tokens: valid for their thing within the hour, on any node with the shared key, and nothing else. */
class OwnershipTokensTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final byte[] SHARED = OwnershipTokens.newKey();
    private final OwnershipTokens tokens = new OwnershipTokens(Clock.fixed(T0, ZoneOffset.UTC), SHARED);

    @Test
    void a_token_lets_its_thing_register_within_the_hour() {
        assertThat(tokens.refusal(tokens.mint("th-1", "ab12"), "th-1")).isNull();
    }

    @Test
    void a_token_minted_before_a_restart_or_on_another_node_is_accepted_with_the_shared_key() {
        String token = tokens.mint("th-1", "ab12");
        // a new instance (the process restarted, or another node) with the key the store keeps
        OwnershipTokens restarted = new OwnershipTokens(Clock.fixed(T0.plusSeconds(600), ZoneOffset.UTC), SHARED.clone());
        assertThat(restarted.refusal(token, "th-1")).isNull();
        // ... and each refusal still has its own reason there
        assertThat(restarted.refusal(token, "th-2")).isEqualTo("OWNERSHIP_TOKEN_NOT_YOURS");
        assertThat(new OwnershipTokens(Clock.fixed(T0.plus(OwnershipTokens.TTL), ZoneOffset.UTC), SHARED).refusal(token, "th-1"))
                .isEqualTo("OWNERSHIP_TOKEN_EXPIRED");
    }

    @Test
    void a_key_shorter_than_32_bytes_is_refused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new OwnershipTokens(Clock.systemUTC(), new byte[16]))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new OwnershipTokens(Clock.systemUTC(), null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_token_of_another_thing_a_forged_one_or_one_under_another_key_is_refused() {
        String token = tokens.mint("th-1", "ab12");
        assertThat(tokens.refusal(token, "th-2")).isEqualTo("OWNERSHIP_TOKEN_NOT_YOURS");
        assertThat(tokens.refusal(null, "th-1")).isEqualTo("OWNERSHIP_TOKEN_MISSING");
        assertThat(tokens.refusal("", "th-1")).isEqualTo("OWNERSHIP_TOKEN_MISSING");
        assertThat(tokens.refusal("no-dot", "th-1")).isEqualTo("OWNERSHIP_TOKEN_INVALID");
        assertThat(tokens.refusal("!!.!!", "th-1")).isEqualTo("OWNERSHIP_TOKEN_INVALID");
        // the claims changed, the MAC kept: refused
        String forged = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("th-2\nab12\n99999999999999".getBytes())
                + token.substring(token.indexOf('.'));
        assertThat(tokens.refusal(forged, "th-2")).isEqualTo("OWNERSHIP_TOKEN_INVALID");
        // another installation's key (or a key an attacker made up): refused
        assertThat(new OwnershipTokens(Clock.fixed(T0, ZoneOffset.UTC), OwnershipTokens.newKey()).refusal(token, "th-1"))
                .isEqualTo("OWNERSHIP_TOKEN_INVALID");
    }

    @Test
    void a_token_expires_after_an_hour() {
        java.util.concurrent.atomic.AtomicReference<Instant> now = new java.util.concurrent.atomic.AtomicReference<>(T0);
        OwnershipTokens moving = new OwnershipTokens(new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        }, SHARED);
        String token = moving.mint("th-1", "ab12");
        now.set(T0.plus(OwnershipTokens.TTL).minusMillis(1));
        assertThat(moving.refusal(token, "th-1")).isNull();
        now.set(T0.plus(OwnershipTokens.TTL));
        assertThat(moving.refusal(token, "th-1")).isEqualTo("OWNERSHIP_TOKEN_EXPIRED");
    }
}
