package dev.imprint.ca.est;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What goes on the wire for one EST request: the HTTP layer only adds Content-Length.
 *
 * @param body already encoded as RFC 7030 wants (base64 for CMS, PKCS#10 and csrattrs)
 * @param headers extra headers, e.g. Content-Transfer-Encoding, Retry-After
 */
public record EstResponse(int status, String contentType, Map<String, String> headers, byte[] body) {
    public EstResponse {
        headers = Map.copyOf(headers);
    }

    /** An error response with a JSON body {@code {"code": ..., "message": ...}}. */
    public static EstResponse error(int status, String code, String message) {
        String json = "{\"code\":\"" + code + "\",\"message\":\"" + escape(message) + "\"}";
        return new EstResponse(status, "application/json", Map.of(), json.getBytes(StandardCharsets.UTF_8));
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : (s == null ? "" : s).toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
