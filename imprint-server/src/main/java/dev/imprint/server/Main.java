package dev.imprint.server;

import dev.imprint.server.cli.ImprintCommand;

/** Entry point of {@code imprint.jar}: runs the picocli command line and exits with its code. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int code = ImprintCommand.commandLine().execute(args);
        System.exit(code);
    }
}
