package dev.imprint.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Certificate ownership tokens: valid for their thing within the hour, and nothing else. */
class OwnershipTokensTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final OwnershipTokens tokens = new OwnershipTokens(Clock.fixed(T0, ZoneOffset.UTC));

    @Test
    void a_token_lets_its_thing_register_within_the_hour() {
        assertThat(tokens.refusal(tokens.mint("th-1", "ab12"), "th-1")).isNull();
    }

    @Test
    void a_token_of_another_thing_a_forged_one_or_another_endpoints_is_refused() {
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
        assertThat(new OwnershipTokens(Clock.fixed(T0, ZoneOffset.UTC)).refusal(token, "th-1")).isEqualTo("OWNERSHIP_TOKEN_INVALID");
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
        });
        String token = moving.mint("th-1", "ab12");
        now.set(T0.plus(OwnershipTokens.TTL).minusMillis(1));
        assertThat(moving.refusal(token, "th-1")).isNull();
        now.set(T0.plus(OwnershipTokens.TTL));
        assertThat(moving.refusal(token, "th-1")).isEqualTo("OWNERSHIP_TOKEN_EXPIRED");
    }
}
