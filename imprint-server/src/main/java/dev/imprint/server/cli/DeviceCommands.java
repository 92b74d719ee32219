package dev.imprint.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imprint.device.cli.DurationConverter;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The hubs' back-end commands, all through the admin API: {@code imprint telemetry},
 * {@code imprint c2d send}, {@code imprint twin get|set}, {@code imprint method invoke},
 * {@code imprint device show}.
 */
public final class DeviceCommands {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DeviceCommands() {}

    static String dev(String id) {
        return "/devices/" + UrlPath.segment(id);
    }

    static JsonNode json(String text, String what) {
        try {
            JsonNode n = JSON.readTree(text);
            if (n == null || !n.isObject()) {
                throw new CliException(ImprintCommand.USAGE, what + " must be a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new CliException(ImprintCommand.USAGE, what + " is not valid JSON: " + e.getMessage());
        }
    }

    @Command(name = "telemetry", mixinStandardHelpOptions = true, description = "Show a device's recent telemetry, newest first.")
    public static final class Telemetry implements Callable<Integer> {
        @Mixin ClientOptions data;
        @Spec CommandSpec spec;
        @Option(names = "--device", paramLabel = "ID", description = "The device ID (with --follow: optional, only this device).") String device;
        @Option(names = "--last", defaultValue = "10", paramLabel = "N", description = "How many messages (default ${DEFAULT-VALUE}).") int last;
        @Option(names = "--json", description = "Print JSON.") boolean json;
        @Option(names = "--follow", description = "Print messages as they arrive, from Kafka (needs kafka.bootstrap), until interrupted.") boolean follow;
        @Option(names = "--from-beginning", description = "With --follow: start at the oldest message the topic keeps.") boolean fromBeginning;
        @Option(names = "--group", paramLabel = "ID", defaultValue = "imprint-follow-telemetry",
                description = "With --follow: the consumer group (default ${DEFAULT-VALUE}); a follower goes on where the last one of its group stopped.")
        String group;

        @Override
        public Integer call() {
            if (follow) {
                return KafkaFollow.run(data.dir(), "telemetryTopic", group, device, fromBeginning, spec.commandLine().getOut(), spec.commandLine().getErr());
            }
            if (device == null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing required option: '--device=ID'");
            }
            JsonNode list = data.client().get(dev(device) + "/telemetry?last=" + last);
            PrintWriter w = spec.commandLine().getOut();
            if (json) {
                w.println(list.toPrettyString());
            } else {
                for (JsonNode m : list) {
                    w.printf("%s  %s  %s  %s%n", m.path("receivedAt").asText(), m.path("hub").asText(), m.path("properties"),
                            m.has("body") ? m.get("body").toString() : "base64:" + m.path("bodyBase64").asText());
                }
            }
            w.flush();
            return ImprintCommand.OK;
        }
    }

    @Command(name = "c2d", mixinStandardHelpOptions = true, description = "Cloud-to-device messages.", subcommands = C2d.Send.class)
    public static final class C2d implements Runnable {
        @Spec CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }

        @Command(name = "send", mixinStandardHelpOptions = true,
                description = "Send a message to a device: delivered at once when connected, else queued (QoS 1) until it connects.")
        static final class Send implements Callable<Integer> {
            @Mixin ClientOptions data;
            @Spec CommandSpec spec;
            @Option(names = "--device", required = true, paramLabel = "ID") String device;
            @Option(names = "--body", required = true, paramLabel = "TEXT") String body;
            @Option(names = "--property", paramLabel = "K=V", description = "An application property (repeatable).") Map<String, String> props;
            @Option(names = "--ttl", paramLabel = "DURATION", converter = DurationConverter.class,
                    description = "How long to wait for an offline device: 90s, 2h, 1d, or plain seconds (default: the hub's, 1 day).") Duration ttl;

            @Override
            public Integer call() {
                Map<String, Object> req = new LinkedHashMap<>();
                req.put("body", body);
                req.put("properties", props == null ? Map.of() : props);
                if (ttl != null) {
                    req.put("ttlSeconds", ttl.getSeconds());
                }
                JsonNode r = data.client().post(dev(device) + "/c2d", req);
                spec.commandLine().getOut().printf("queued %s (expires %s)%n", r.path("messageId").asText(), r.path("expiresAt").asText());
                spec.commandLine().getOut().flush();
                return ImprintCommand.OK;
            }
        }
    }

    @Command(name = "twin", mixinStandardHelpOptions = true, description = "Read a device twin or update its desired properties.",
            subcommands = {Twin.Get.class, Twin.Set.class})
    public static final class Twin implements Runnable {
        @Spec CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }

        @Command(name = "get", mixinStandardHelpOptions = true, description = "Print the twin (desired and reported, with versions).")
        static final class Get implements Callable<Integer> {
            @Mixin ClientOptions data;
            @Spec CommandSpec spec;
            @Option(names = "--device", required = true, paramLabel = "ID") String device;

            @Override
            public Integer call() {
                spec.commandLine().getOut().println(data.client().get(dev(device) + "/twin").toPrettyString());
                spec.commandLine().getOut().flush();
                return ImprintCommand.OK;
            }
        }

        @Command(name = "set", mixinStandardHelpOptions = true,
                description = "Merge a patch into the desired properties (null deletes); a connected device gets it at once.")
        static final class Set implements Callable<Integer> {
            @Mixin ClientOptions data;
            @Spec CommandSpec spec;
            @Option(names = "--device", required = true, paramLabel = "ID") String device;
            @Option(names = "--desired", required = true, paramLabel = "JSON") String desired;

            @Override
            public Integer call() {
                JsonNode r = data.client().post(dev(device) + "/twin/desired", json(desired, "--desired"));
                spec.commandLine().getOut().println(r.toPrettyString());
                spec.commandLine().getOut().flush();
                return ImprintCommand.OK;
            }
        }
    }

    @Command(name = "method", mixinStandardHelpOptions = true, description = "Direct methods.", subcommands = Method.Invoke.class)
    public static final class Method implements Runnable {
        @Spec CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }

        @Command(name = "invoke", mixinStandardHelpOptions = true,
                description = "Invoke a method on a connected device and print its answer (exit 1 when offline or on timeout).")
        static final class Invoke implements Callable<Integer> {
            @Mixin ClientOptions data;
            @Spec CommandSpec spec;
            @Option(names = "--device", required = true, paramLabel = "ID") String device;
            @Option(names = "--name", required = true, paramLabel = "NAME") String name;
            @Option(names = "--payload", defaultValue = "{}", paramLabel = "JSON") String payload;
            @Option(names = "--timeout", defaultValue = "30s", paramLabel = "DURATION", converter = DurationConverter.class,
                    description = "How long to wait for the answer: 30s, 2m, or plain seconds (default ${DEFAULT-VALUE}).") Duration timeout;

            @Override
            public Integer call() {
                JsonNode p;
                try {
                    p = JSON.readTree(payload);
                } catch (IOException e) {
                    throw new CliException(ImprintCommand.USAGE, "--payload is not valid JSON: " + e.getMessage());
                }
                JsonNode r = data.client().post(dev(device) + "/methods/" + UrlPath.segment(name),
                        Map.of("payload", p, "timeoutSeconds", timeout.getSeconds()));
                spec.commandLine().getOut().println(r.toPrettyString());
                spec.commandLine().getOut().flush();
                return r.path("status").asInt() / 100 == 2 ? ImprintCommand.OK : ImprintCommand.FAILED;
            }
        }
    }

    @Command(name = "device", mixinStandardHelpOptions = true, description = "Devices as the hubs see them.", subcommands = Device.Show.class)
    public static final class Device implements Runnable {
        @Spec CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }

        @Command(name = "show", mixinStandardHelpOptions = true, description = "Assigned hub, enabled, connected or not (to which hub and node), last seen.")
        static final class Show implements Callable<Integer> {
            @Mixin ClientOptions data;
            @Spec CommandSpec spec;
            @Parameters(paramLabel = "ID") String device;
            @Option(names = "--json", description = "Print JSON.") boolean json;

            @Override
            public Integer call() {
                JsonNode d = data.client().get(dev(device));
                PrintWriter w = spec.commandLine().getOut();
                if (json) {
                    w.println(d.toPrettyString());
                } else {
                    w.printf("device     %s%nhub        %s%nenabled    %s%nconnected  %s%s%nlast seen  %s%n", d.path("deviceId").asText(),
                            d.path("assignedHub").asText(), d.path("enabled").asBoolean(), d.path("connected").asBoolean(),
                            d.path("connected").asBoolean() ? " (" + d.path("connectedTo").asText() + ", node " + d.path("node").asText() + ")" : "",
                            d.path("lastSeen").isNull() ? "never" : d.path("lastSeen").asText());
                }
                w.flush();
                return ImprintCommand.OK;
            }
        }
    }
}
