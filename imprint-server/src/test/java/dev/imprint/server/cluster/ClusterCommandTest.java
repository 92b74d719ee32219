package dev.imprint.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.server.cli.ImprintCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code cluster} commands' help and refusals, through Imprint's own command line (nothing is started). */
class ClusterCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();

    private int run(String... args) {
        CommandLine cl = ImprintCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        return cl.execute(args);
    }

    @Test
    void every_subcommand_has_help_and_up_documents_the_layout() {
        for (String sub : new String[] {"up", "status", "kill", "restart", "down"}) {
            assertThat(run("cluster", sub, "--help")).isZero();
        }
        assertThat(out.toString()).contains("default:  " + Layout.DEFAULT, "--nodes 'ca,admin=1;dps=2;hub:hub-1=3;hub:hub-2=2'",
                "--store", "--no-proxy-protocol", "--node-addresses", "SIGKILL one node", "pg_ctl stop -m fast")
                .doesNotContain("--node-command");
        out.getBuffer().setLength(0);
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("cluster");
    }

    @Test
    void a_bad_layout_is_a_usage_error_before_anything_starts() {
        assertThat(run("cluster", "up", "--data", dir.toString(), "--nodes", "dps=2")).isEqualTo(ImprintCommand.USAGE);
        assertThat(out.toString()).contains("--nodes: no group runs ca");
        assertThat(run("cluster", "up", "--data", dir.toString(), "--store", "jdbc:sqlite:x.db")).isEqualTo(ImprintCommand.USAGE);
        assertThat(dir.resolve("pg")).doesNotExist();
    }

    @Test
    void commands_on_a_folder_without_a_cluster_say_so() {
        for (String[] args : new String[][] {{"status"}, {"kill", "hub-1-1"}, {"restart", "hub-1-1"}, {"down"}}) {
            String[] full = new String[args.length + 3];
            full[0] = "cluster";
            System.arraycopy(args, 0, full, 1, args.length);
            full[args.length + 1] = "--data";
            full[args.length + 2] = dir.toString();
            assertThat(run(full)).as(String.join(" ", args)).isEqualTo(ImprintCommand.FAILED);
        }
        assertThat(out.toString()).contains("no cluster recorded in " + dir);
    }
}
