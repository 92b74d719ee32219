package dev.imprint.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ConsoleSessionsTest {
    /** A clock the test moves. */
    static final class Moving extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

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
            return now;
        }
    }

    final Moving clock = new Moving();
    final ConsoleSessions sessions = new ConsoleSessions(clock);

    @Test
    void link_gives_a_session_once() {
        String token = sessions.newLoginToken("admin:a");
        ConsoleSessions.Login first = sessions.redeem(token);
        assertThat(first.session()).isNotNull();
        assertThat(first.session().actor()).isEqualTo("admin:a");
        assertThat(first.session().id()).hasSize(43); // 256 bits, base64url
        assertThat(first.session().csrf()).isNotEqualTo(first.session().id());
        assertThat(sessions.redeem(token).refusal()).isEqualTo(ConsoleSessions.Refusal.LOGIN_LINK_INVALID);
        assertThat(sessions.find(first.session().id())).isPresent();
    }

    @Test
    void rejects_link_after_five_minutes() {
        String token = sessions.newLoginToken("admin:a");
        clock.now = clock.now.plus(Duration.ofMinutes(5));
        assertThat(sessions.redeem(token).refusal()).isEqualTo(ConsoleSessions.Refusal.LOGIN_LINK_EXPIRED);
    }

    @Test
    void rejects_unknown_or_missing_token() {
        assertThat(sessions.redeem("nope").refusal()).isEqualTo(ConsoleSessions.Refusal.LOGIN_LINK_INVALID);
        assertThat(sessions.redeem(null).refusal()).isEqualTo(ConsoleSessions.Refusal.LOGIN_LINK_INVALID);
        assertThat(sessions.find(null)).isEmpty();
    }

    @Test
    void session_ends_after_eight_hours() {
        var s = sessions.redeem(sessions.newLoginToken("admin:a")).session();
        clock.now = clock.now.plus(Duration.ofHours(8)).minusSeconds(1);
        assertThat(sessions.find(s.id())).isPresent();
        clock.now = clock.now.plusSeconds(1);
        assertThat(sessions.find(s.id())).isEmpty();
    }

    @Test
    void csrf_must_match_exactly() {
        var s = sessions.redeem(sessions.newLoginToken("admin:a")).session();
        assertThat(ConsoleSessions.csrfMatches(s, s.csrf())).isTrue();
        assertThat(ConsoleSessions.csrfMatches(s, null)).isFalse();
        assertThat(ConsoleSessions.csrfMatches(s, s.csrf() + "x")).isFalse();
        assertThat(ConsoleSessions.csrfMatches(s, s.id())).isFalse();
    }
}
