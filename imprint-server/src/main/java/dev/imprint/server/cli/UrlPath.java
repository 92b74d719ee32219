package dev.imprint.server.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Encodes one URL path segment (names and device IDs may hold characters URLs reserve). */
final class UrlPath {
    private UrlPath() {}

    static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
