package dev.imprint.server.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code imprint events --follow}: device lifecycle events from Kafka's events topic. */
@Command(name = "events", mixinStandardHelpOptions = true,
        description = "Follow device lifecycle events (connected, disconnected, certificate issued/rotated/revoked) on Kafka.")
public final class EventsCommand implements Callable<Integer> {
    @Mixin DataOption data;
    @Spec CommandSpec spec;
    @Option(names = "--follow", required = true, description = "Print events as they arrive (until interrupted).") boolean follow;
    @Option(names = "--device", paramLabel = "ID", description = "Only this device's events.") String device;
    @Option(names = "--from-beginning", description = "Start at the oldest event the topic keeps.") boolean fromBeginning;
    @Option(names = "--group", paramLabel = "ID", defaultValue = "imprint-follow-events",
            description = "Consumer group (default ${DEFAULT-VALUE}): a follower goes on where the last one of its group stopped.") String group;

    @Override
    public Integer call() {
        return KafkaFollow.run(data.dir(), "eventsTopic", group, device, fromBeginning, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
