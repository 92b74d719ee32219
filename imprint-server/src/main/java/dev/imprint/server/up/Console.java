package dev.imprint.server.up;

/** The landing page at {@code /}: where everything is, until the web console arrives. */
final class Console {
    private Console() {}

    static String page(Endpoints e) {
        return """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>Imprint</title></head>
                <body><h1>Imprint</h1>
                <ul>
                <li>PKI repository: <a href="%1$s/ca/root.crt">%1$s</a> (CA certificates, CRLs, OCSP)</li>
                <li>EST: %2$s</li>
                <li>Admin API: %3$s (admin client certificate required)</li>
                <li><a href="/metrics">Metrics</a> &middot; <a href="/health">Health</a></li>
                </ul></body></html>
                """.formatted(esc(e.pki()), esc(e.est()), esc(e.admin()));
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
