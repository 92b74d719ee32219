package dev.imprint.device.cloud;

/** A direct method's answer: an HTTP-like status (200 for success) and a JSON payload. */
public record MethodResponse(int status, String json) {
    public MethodResponse {
        json = json == null || json.isBlank() ? "null" : json;
    }
}
