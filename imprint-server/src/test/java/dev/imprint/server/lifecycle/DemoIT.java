package dev.imprint.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.server.cli.ImprintCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code imprint demo} on a fresh folder runs to completion and exits 0. */
class DemoIT {

    @Test
    @Timeout(120)
    void demo_runs_to_completion_on_a_fresh_folder(@TempDir Path tmp) {
        CommandLine cl = ImprintCommand.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(out));
        int code = cl.execute("demo", "--data", tmp.resolve("demo").toString());
        System.out.println(out);
        assertThat(code).as(out.toString()).isZero();
        assertThat(out.toString()).contains("demo completed", "Stolen!", "REVOKED", "Where to look next");
    }

    @Test
    void demo_refuses_a_folder_that_is_not_empty(@TempDir Path tmp) throws Exception {
        java.nio.file.Files.writeString(tmp.resolve("something"), "x");
        CommandLine cl = ImprintCommand.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(out));
        assertThat(cl.execute("demo", "--data", tmp.toString())).isEqualTo(2);
        assertThat(out.toString()).contains("not empty");
    }
}
