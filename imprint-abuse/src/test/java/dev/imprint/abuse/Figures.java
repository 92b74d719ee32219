package dev.imprint.abuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One row per abuse case, printed at the end of the run and written to target/abuse-figures.md for docs/security-model.md. */
final class Figures {
    private static final List<String> ROWS = new ArrayList<>();

    private Figures() {}

    static synchronized void add(String row) {
        ROWS.add("| " + row + " |");
        System.out.println("abuse: " + row);
    }

    static synchronized void print() {
        StringBuilder b = new StringBuilder("| case | limit | held | reason code | bystander before | bystander during | heap / threads | store |\n"
                + "|---|---|---|---|---|---|---|---|\n");
        ROWS.forEach(r -> b.append(r).append('\n'));
        System.out.println(b);
        try {
            Files.writeString(Path.of("target", "abuse-figures.md"), b);
        } catch (IOException e) {
            System.out.println("cannot write target/abuse-figures.md: " + e);
        }
    }
}
