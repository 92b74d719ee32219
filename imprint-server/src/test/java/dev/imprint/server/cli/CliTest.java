package dev.imprint.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        CommandLine cl = ImprintCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void every_command_has_help() {
        for (List<String> cmd : List.<List<String>>of(List.of(), List.of("up"), List.of("station"), List.of("station", "create"),
                List.of("station", "list"), List.of("station", "revoke"), List.of("cert"), List.of("cert", "list"),
                List.of("cert", "revoke"), List.of("audit"), List.of("audit", "verify"), List.of("verify"), List.of("verify", "limbo"))) {
            String[] args = java.util.stream.Stream.concat(cmd.stream(), java.util.stream.Stream.of("--help")).toArray(String[]::new);
            Run r = run(args);
            assertThat(r.code()).as("%s --help", cmd).isZero();
            assertThat(r.out()).as("%s --help", cmd).contains("Usage: imprint");
        }
    }

    @Test
    void up_help_lists_configuration_keys_and_environment_names() {
        Run r = run("up", "--help");
        assertThat(r.out()).contains("https.port", "IMPRINT_HTTPS_PORT", "IMPRINT_CA_PASSPHRASE", "IMPRINT_DATA");
    }

    @Test
    void version_is_printed() {
        Run r = run("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("imprint");
    }

    @Test
    void client_commands_say_clearly_when_no_server_ran_there() {
        Run r = run("cert", "list", "--data", dir.toString());
        assertThat(r.code()).isEqualTo(ImprintCommand.UNREACHABLE);
        assertThat(r.err()).contains("endpoints.json").contains("imprint up");
    }

    @Test
    void up_refuses_a_bad_configuration_listing_every_problem() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("imprint.yaml"), "https:\n  port: 0\n  engine: fast\n");
        Run r = run("up", "--data", dir.toString());
        assertThat(r.code()).isEqualTo(ImprintCommand.USAGE);
        assertThat(r.err()).contains("https.port").contains("https.engine");
        assertThat(dir.resolve("pki")).doesNotExist();
    }

    @Test
    void cert_revoke_needs_exactly_one_target() {
        Run r = run("cert", "revoke", "--data", dir.toString());
        assertThat(r.code()).isEqualTo(ImprintCommand.USAGE);
        Run both = run("cert", "revoke", "--serial", "0a", "--device", "d1", "--data", dir.toString());
        assertThat(both.code()).isEqualTo(ImprintCommand.USAGE);
    }
}
