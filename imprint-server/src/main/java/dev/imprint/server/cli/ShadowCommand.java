package dev.imprint.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code imprint shadow get|update|delete --device ID [--name N]}: a device's shadow (AWS
 * dialect; the classic one is the device twin) through the admin API.
 */
@Command(name = "shadow", mixinStandardHelpOptions = true,
        description = "Read, update or delete a device shadow (AWS Device Shadow; without --name the classic shadow, which is the device twin).",
        subcommands = {ShadowCommand.Get.class, ShadowCommand.Update.class, ShadowCommand.Delete.class})
public final class ShadowCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static String path(String device, String name) {
        return DeviceCommands.dev(device) + (name == null ? "/shadow" : "/shadows/" + UrlPath.segment(name));
    }

    static Integer print(CommandSpec spec, JsonNode doc) {
        spec.commandLine().getOut().println(doc.toPrettyString());
        spec.commandLine().getOut().flush();
        return ImprintCommand.OK;
    }

    /** The options every subcommand shares. */
    static final class Target {
        @Option(names = "--device", required = true, paramLabel = "ID", description = "The device ID (the thing name).") String device;
        @Option(names = "--name", paramLabel = "N", description = "A named shadow (1-64 of a-z A-Z 0-9 : _ -); default the classic shadow.") String name;
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Print the shadow document (state, delta, metadata, version).")
    static final class Get implements Callable<Integer> {
        @Mixin DataOption data;
        @Spec CommandSpec spec;
        @Mixin Target target;

        @Override
        public Integer call() {
            return print(spec, AdminClient.forDataDir(data.dir()).get(path(target.device, target.name)));
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Merge desired and/or reported state into the shadow (null deletes a key, arrays are replaced); "
                    + "a connected device gets the delta.")
    static final class Update implements Callable<Integer> {
        @Mixin DataOption data;
        @Spec CommandSpec spec;
        @Mixin Target target;
        @Option(names = "--desired", paramLabel = "JSON", description = "Desired state to merge (a JSON object, or null to delete the section).") String desired;
        @Option(names = "--reported", paramLabel = "JSON", description = "Reported state to merge (a JSON object, or null).") String reported;
        @Option(names = "--version", paramLabel = "N", description = "Apply only if the shadow is at this version (else 409 Version conflict).") Long version;

        @Override
        public Integer call() {
            if (desired == null && reported == null) {
                throw new CliException(ImprintCommand.USAGE, "give --desired and/or --reported");
            }
            ObjectNode req = JsonNodeFactory.instance.objectNode();
            ObjectNode state = req.putObject("state");
            section(state, "desired", desired);
            section(state, "reported", reported);
            if (version != null) {
                req.put("version", version);
            }
            return print(spec, AdminClient.forDataDir(data.dir()).post(path(target.device, target.name), req));
        }

        private static void section(ObjectNode state, String name, String json) {
            if (json == null) {
                return;
            }
            if (json.strip().equals("null")) {
                state.putNull(name);
            } else {
                state.set(name, DeviceCommands.json(json, "--" + name));
            }
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete the shadow document; its version counter stays (the next update continues it).")
    static final class Delete implements Callable<Integer> {
        @Mixin DataOption data;
        @Spec CommandSpec spec;
        @Mixin Target target;

        @Override
        public Integer call() {
            return print(spec, AdminClient.forDataDir(data.dir()).delete(path(target.device, target.name)));
        }
    }
}
