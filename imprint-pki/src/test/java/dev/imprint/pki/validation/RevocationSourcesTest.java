package dev.imprint.pki.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Combining revocation sources: which answer wins, and a failing or silent source is unknown, never good. */
class RevocationSourcesTest {
    static final RevocationSource GOOD = (c, i, at) -> RevocationStatus.good();
    static final RevocationSource REVOKED = (c, i, at) -> RevocationStatus.revoked(1, Instant.EPOCH);
    static final RevocationSource OCSP_DOWN = (c, i, at) -> RevocationStatus.unknown(ReasonCode.OCSP_UNAVAILABLE, "down");
    static final RevocationSource CRL_STALE = (c, i, at) -> RevocationStatus.unknown(ReasonCode.CRL_STALE, "stale");
    static final RevocationSource THROWS = (c, i, at) -> {
        throw new IllegalStateException("boom");
    };
    static final RevocationSource SILENT = (c, i, at) -> null;

    static RevocationStatus ask(RevocationSource s) {
        return s.status(null, null, Instant.EPOCH, CrlSigners.NONE);
    }

    static ReasonCode unknownCode(RevocationStatus s) {
        assertThat(s).isInstanceOf(RevocationStatus.Unknown.class);
        return ((RevocationStatus.Unknown) s).code();
    }

    @Test
    void first_known_answer_wins_else_the_first_unknown() {
        assertThat(ask(RevocationSources.firstKnown(OCSP_DOWN, GOOD))).isEqualTo(RevocationStatus.good());
        assertThat(ask(RevocationSources.firstKnown(OCSP_DOWN, REVOKED))).isInstanceOf(RevocationStatus.Revoked.class);
        assertThat(unknownCode(ask(RevocationSources.firstKnown(OCSP_DOWN, CRL_STALE)))).isEqualTo(ReasonCode.OCSP_UNAVAILABLE);
        assertThat(unknownCode(RevocationSources.firstKnown(CRL_STALE, OCSP_DOWN).status(null, null, Instant.EPOCH)))
                .isEqualTo(ReasonCode.CRL_STALE);
        assertThatThrownBy(RevocationSources::firstKnown).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_failing_or_silent_source_is_unknown() {
        assertThat(unknownCode(ask(RevocationSources.firstKnown(THROWS)))).isEqualTo(ReasonCode.CRL_UNAVAILABLE);
        assertThat(unknownCode(ask(RevocationSources.firstKnown(SILENT)))).isEqualTo(ReasonCode.INTERNAL_ERROR);
        assertThat(ask(RevocationSources.firstKnown(THROWS, GOOD))).isEqualTo(RevocationStatus.good());
        assertThat(unknownCode(ask(RevocationSources.all(GOOD, THROWS)))).isEqualTo(ReasonCode.CRL_UNAVAILABLE);
    }

    @Test
    void all_must_answer_good() {
        assertThat(ask(RevocationSources.all(GOOD, GOOD))).isEqualTo(RevocationStatus.good());
        assertThat(ask(RevocationSources.all(OCSP_DOWN, REVOKED))).isInstanceOf(RevocationStatus.Revoked.class);
        assertThat(unknownCode(ask(RevocationSources.all(GOOD, CRL_STALE, OCSP_DOWN)))).isEqualTo(ReasonCode.CRL_STALE);
        assertThat(RevocationSources.all(GOOD, REVOKED).status(null, null, Instant.EPOCH)).isInstanceOf(RevocationStatus.Revoked.class);
    }

    @Test
    void key_usage_bits_past_the_array_are_not_set() {
        assertThat(KeyUsageBit.values()[KeyUsageBit.values().length - 1].isSetIn(new boolean[KeyUsageBit.values().length - 1])).isFalse();
        assertThat(KeyUsageBit.KEY_CERT_SIGN.isSetIn(null)).isFalse();
    }
}
