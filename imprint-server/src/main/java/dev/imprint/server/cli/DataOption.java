package dev.imprint.server.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data DIR}: the data folder, from env IMPRINT_DATA, default ./imprint-data. */
public final class DataOption {
    @Option(names = "--data", paramLabel = "DIR", defaultValue = "${env:IMPRINT_DATA:-imprint-data}",
            description = "Data folder (env IMPRINT_DATA; default: ${DEFAULT-VALUE}).")
    Path data;

    public Path dir() {
        return data.toAbsolutePath().normalize();
    }
}
