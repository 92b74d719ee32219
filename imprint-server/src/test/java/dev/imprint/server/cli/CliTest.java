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

    /** Every command and subcommand, walked from the root: each has help, and its one-line summary is a whole sentence. */
    @Test
    void every_command_in_the_tree_has_help_and_a_whole_sentence_in_the_command_list() {
        java.util.ArrayDeque<CommandLine> todo = new java.util.ArrayDeque<>(List.of(ImprintCommand.commandLine()));
        int seen = 0;
        while (!todo.isEmpty()) {
            CommandLine c = todo.pop();
            todo.addAll(c.getSubcommands().values());
            String[] summary = c.getCommandSpec().usageMessage().header().length > 0 ? c.getCommandSpec().usageMessage().header()
                    : c.getCommandSpec().usageMessage().description();
            if (c.getCommandName().equals("help") || summary.length == 0) {
                continue;
            }
            seen++;
            assertThat(summary[0].strip()).as("summary of '%s'", c.getCommandSpec().qualifiedName()).matches("(?s).*[.)]$");
            String usage = c.getUsageMessage();
            assertThat(usage).as("'%s' has an option without a PARAM label", c.getCommandSpec().qualifiedName())
                    .doesNotContainPattern("--[a-z-]+=<[a-z][A-Za-z]*>");
        }
        assertThat(seen).isGreaterThan(40);
    }

    @Test
    void operator_and_audit_list_are_commands_with_help() {
        assertThat(run("operator", "add", "--help").out()).contains("--role", "--station", "--out", "--as", "auditor");
        assertThat(run("audit", "list", "--help").out()).contains("--actor", "--json");
        // the placeholder is printed as the admin types it, not resolved by picocli
        assertThat(run("enrollment", "add", "--help").out().replaceAll("\\s+", " ")).contains("--aws-publish", "--aws-subscribe", "'factory/${thing}/#'");
        Run missing = run("operator", "add", "bob");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("--role", "--out");
    }

    @Test
    void as_names_a_folder_without_a_credential_clearly() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("endpoints.json"), "{\"admin\":\"https://127.0.0.1:1/api/v1\"}");
        Run r = run("station", "list", "--data", dir.toString(), "--as", dir.resolve("nobody").toString());
        assertThat(r.code()).isEqualTo(ImprintCommand.USAGE);
        assertThat(r.err()).contains("operator.crt").contains("imprint operator add");
    }

    @Test
    void factory_run_stops_before_the_first_device_when_the_ids_cannot_match_the_station_pattern() throws Exception {
        Path station = dir.resolve("line1");
        java.nio.file.Files.createDirectories(station);
        java.nio.file.Files.writeString(station.resolve("station.json"), "{\"name\":\"line1\",\"idPattern\":\"DEV-[0-9]{6}\"}");
        Run r = run("factory", "run", "--station", station.toString(), "--bus", "sim", "--count", "500", "--id-prefix", "line1-",
                "--est", "https://127.0.0.1:1/.well-known/est");
        assertThat(r.code()).isEqualTo(ImprintCommand.USAGE);
        assertThat(r.err()).contains("DEV-[0-9]{6}", "--id-prefix", "--id-digits");
        assertThat(station.resolve("journal")).doesNotExist();
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
