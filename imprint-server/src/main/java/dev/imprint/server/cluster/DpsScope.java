package dev.imprint.server.cluster;

import dev.imprint.server.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The DPS ID scope of a cluster, made once in {@code <data>/dps/id-scope} before any node starts.
 *
 * <p>Why here: every DPS node reads that file and generates it when it is missing; two DPS nodes
 * starting at once would each generate one, and devices told one scope would be refused by the
 * node holding the other. Same form as the nodes make ({@code 0ne} and 8 hex digits).
 */
final class DpsScope {
    private DpsScope() {}

    static String ensure(Path data) throws IOException {
        Path file = data.resolve("dps").resolve("id-scope");
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.US_ASCII).trim();
        }
        byte[] r = new byte[4];
        new SecureRandom().nextBytes(r);
        String scope = "0ne" + HexFormat.of().withUpperCase().formatHex(r);
        PrivateFiles.writePublic(file, scope.getBytes(StandardCharsets.US_ASCII));
        return scope;
    }
}
