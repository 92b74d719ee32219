package dev.imprint.factory.line;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
    @TempDir
    Path dir;

    @Test
    void proved_device_without_ledger_acknowledgement_is_sent_again_after_a_restart() {
        Path file = dir.resolve("b.log");
        try (Journal j = Journal.open(file)) {
            j.pending("dev-1", "fp1").join();
            j.issued("dev-1", "0a", new byte[] {1, 2, 3}).join();
            j.confirmed("dev-1", "0a").join();
        }
        try (Journal j = Journal.open(file)) {
            assertThat(j.confirmedCount()).isEqualTo(1);
            assertThat(j.unconfirmed()).isEmpty(); // proved: never asked to the device again
            assertThat(j.unledgered()).extracting(e -> e.id + "/" + e.serial).containsExactly("dev-1/0a");
            j.ledgered("dev-1", "0a").join();
        }
        try (Journal j = Journal.open(file)) {
            assertThat(j.unledgered()).isEmpty();
            assertThat(j.confirmedCount()).isEqualTo(1);
        }
    }

    @Test
    void issued_but_unproved_device_is_retried_and_not_sent_to_the_ledger() {
        Path file = dir.resolve("c.log");
        try (Journal j = Journal.open(file)) {
            j.pending("dev-2", "fp2").join();
            j.issued("dev-2", "0b", new byte[] {4, 5}).join();
        }
        try (Journal j = Journal.open(file)) {
            assertThat(j.unconfirmed()).extracting(e -> e.id).containsExactly("dev-2");
            assertThat(j.unledgered()).isEmpty();
            assertThat(j.confirmedCount()).isZero();
        }
    }

    @Test
    void torn_last_line_is_ignored() throws Exception {
        Path file = dir.resolve("d.log");
        try (Journal j = Journal.open(file)) {
            j.pending("dev-3", "fp3").join();
            j.confirmed("dev-3", "0c").join();
        }
        Files.write(file, "I dev-4 0d".getBytes(StandardCharsets.US_ASCII), StandardOpenOption.APPEND);
        try (Journal j = Journal.open(file)) {
            assertThat(j.unledgered()).extracting(e -> e.id).containsExactly("dev-3");
            assertThat(j.unconfirmed()).isEmpty();
            assertThat(j.find("dev-4") == null || j.find("dev-4").certDer == null).isTrue();
        }
    }
}
