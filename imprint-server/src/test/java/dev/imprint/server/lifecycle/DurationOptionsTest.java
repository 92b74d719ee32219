package dev.imprint.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.server.cli.ImprintCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every duration option reads 20s, 15m, 30d or plain seconds, and refuses anything else naming those forms. */
class DurationOptionsTest {
    @Test
    void simulate_takes_units_and_plain_seconds() {
        SimulateCommand c = new SimulateCommand();
        new CommandLine(c).parseArgs("--count", "3", "--lifetime", "30s", "--duration", "15m");
        assertThat(c.lifetime).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.duration).isEqualTo(Duration.ofMinutes(15));
        new CommandLine(c).parseArgs("--count", "3", "--lifetime", "45", "--duration", "2h");
        assertThat(c.lifetime).isEqualTo(Duration.ofSeconds(45));
        assertThat(c.duration).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void demo_defaults_read_through_the_same_parser() {
        DemoCommand c = new DemoCommand();
        new CommandLine(c).parseArgs();
        assertThat(c.lifetime).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.duration).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void factory_and_enrollment_options_read_through_the_same_parser() {
        CommandLine.ParseResult factory = ImprintCommand.commandLine()
                .parseArgs("factory", "run", "--station", "st", "--bus", "sim", "--timeout", "2m", "--ca-timeout", "45");
        CommandLine.ParseResult run = factory.subcommand().subcommand();
        assertThat(run.<Duration>matchedOptionValue("--timeout", null)).isEqualTo(Duration.ofMinutes(2));
        assertThat(run.<Duration>matchedOptionValue("--ca-timeout", null)).isEqualTo(Duration.ofSeconds(45));
        // the option's name says milliseconds: a plain number stays milliseconds, a unit is read as given
        CommandLine.ParseResult add = ImprintCommand.commandLine()
                .parseArgs("enrollment", "add", "e1", "--webhook-timeout-ms", "1500").subcommand().subcommand();
        assertThat(add.<Duration>matchedOptionValue("--webhook-timeout-ms", null)).isEqualTo(Duration.ofMillis(1500));
        add = ImprintCommand.commandLine().parseArgs("enrollment", "add", "e1", "--webhook-timeout-ms", "5s").subcommand().subcommand();
        assertThat(add.<Duration>matchedOptionValue("--webhook-timeout-ms", null)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void garbage_is_a_usage_error_naming_the_accepted_forms() {
        StringWriter err = new StringWriter();
        CommandLine cl = ImprintCommand.commandLine();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("device", "simulate", "--count", "3", "--lifetime", "20 seconds");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--lifetime").contains("'20 seconds' is not a duration").contains("20s, 15m, 2h, 30d");
    }
}
