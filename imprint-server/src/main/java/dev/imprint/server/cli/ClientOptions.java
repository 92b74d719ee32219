package dev.imprint.server.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options of every command that calls the admin API: {@code --data DIR} (where
 * {@code endpoints.json} says where the server is) and {@code --as DIR}, the operator credential
 * to act with (default {@code <data>/admin/}, the admin account {@code imprint up} writes).
 */
public final class ClientOptions {
    @Option(names = "--data", paramLabel = "DIR", defaultValue = "${env:IMPRINT_DATA:-imprint-data}",
            description = "Data folder (env IMPRINT_DATA; default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--as", paramLabel = "DIR", defaultValue = "${env:IMPRINT_CREDENTIAL}",
            description = "Act as the operator whose credential 'imprint operator add --out DIR' wrote (env IMPRINT_CREDENTIAL; "
                    + "default: <data>/admin/, the first admin account).")
    Path as;

    public Path dir() {
        return data.toAbsolutePath().normalize();
    }

    /** A client of the running server's admin API with the chosen credential. */
    public AdminClient client() {
        return as == null ? AdminClient.forDataDir(dir()) : AdminClient.forDataDir(dir(), as.toAbsolutePath().normalize());
    }
}
