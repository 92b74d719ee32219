package dev.imprint.server.up;

import dev.imprint.server.console.ConsoleRoutes;
import java.nio.charset.StandardCharsets;

/**
 * The page at {@code /}: where everything is, and the web console (its script and API are in
 * {@link ConsoleRoutes}). The page is {@code console/index.html} from the jar with the endpoints filled in.
 */
final class Console {
    private Console() {}

    static String page(Endpoints e) {
        return new String(ConsoleRoutes.resource("index.html"), StandardCharsets.UTF_8)
                .replace("{{pki}}", esc(e.pki()))
                .replace("{{est}}", esc(e.est()))
                .replace("{{admin}}", esc(e.admin()));
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
