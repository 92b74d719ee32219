package dev.imprint.pki.validation.crl;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class SerialIndexTest {
    @Test
    void finds_what_was_added_and_nothing_else_across_growth() {
        SerialIndex idx = new SerialIndex(4);
        for (int i = 1; i <= 5000; i++) {
            assertThat(idx.add(BigInteger.valueOf(i * 7919L).toByteArray(), i, i % 10)).isTrue();
        }
        assertThat(idx.size()).isEqualTo(5000);
        int slot = idx.indexOf(BigInteger.valueOf(42 * 7919L).toByteArray());
        assertThat(slot).isNotNegative();
        assertThat(idx.revokedAt(slot)).isEqualTo(42);
        assertThat(idx.reason(slot)).isEqualTo(2);
        assertThat(idx.indexOf(BigInteger.valueOf(7918).toByteArray())).isEqualTo(-1);
    }

    @Test
    void refuses_serials_longer_than_rfc_5280_allows() {
        SerialIndex idx = new SerialIndex(4);
        assertThat(idx.add(new byte[22], 0, 0)).isFalse();
        assertThat(idx.indexOf(new byte[22])).isEqualTo(-1);
    }
}
