package dev.imprint.hub;

/**
 * A direct method's answer from the device.
 *
 * @param status the status the device answered with (the 3 digits of its response topic)
 * @param payload the device's response body (JSON by convention; the text as sent)
 */
public record MethodResult(int status, String payload) {}
