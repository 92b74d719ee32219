package dev.imprint.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.imprint.server.cli.ImprintCommand;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DemoCommandTest {
    /** "Where to look next" is a list of commands one a line, each of which the CLI parses as it stands. */
    @Test
    void where_to_look_next_lists_commands_the_cli_accepts() {
        var commands = DemoCommand.nextCommands(Path.of("/tmp/imprint-demo-x"), "demo-0001");
        assertThat(commands).hasSizeGreaterThan(5).allMatch(c -> c.startsWith("./imprint ") && !c.contains(" | "));
        for (String line : commands) {
            String cmd = line.replaceAll("#.*$", "").replaceAll("&\\s*$", "").strip().substring("./imprint ".length());
            String[] args = Arrays.stream(cmd.split("\\s+")).toArray(String[]::new);
            assertThatCode(() -> ImprintCommand.commandLine().parseArgs(args)).as(line).doesNotThrowAnyException();
        }
    }
}
