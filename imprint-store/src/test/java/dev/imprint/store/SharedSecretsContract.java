package dev.imprint.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Shared secrets (V14): made once, the same bytes for every later caller, on every dialect. */
interface SharedSecretsContract {
    Store store();

    @Test
    default void a_secret_is_made_by_its_first_user_and_every_later_one_reads_it() {
        byte[] first = store().sharedSecrets().secret("test.key", () -> new byte[] {1, 2, 3});
        assertThat(first).containsExactly(1, 2, 3);
        // another node (or this one after a restart) offers its own fresh bytes: the stored ones win
        assertThat(store().sharedSecrets().secret("test.key", () -> new byte[] {9, 9, 9})).containsExactly(1, 2, 3);
        assertThat(store().sharedSecrets().secret("test.other", () -> new byte[] {7})).containsExactly(7);
    }
}
