package dev.imprint.device.cloud;

import java.util.concurrent.CompletableFuture;

/**
 * One authenticated conversation with DPS over one transport: the register request and the
 * operation-status polls, each answered with a status, a JSON body and a Retry-After. The
 * meaning of the answers is the same on every transport ({@link DpsClient} reads them).
 */
interface DpsExchange extends AutoCloseable {
    /** An answer. @param status HTTP status (the status in the MQTT response topic) @param retryAfter seconds, or -1 */
    record Answer(int status, byte[] body, int retryAfter) {
        String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** Sends the register request; fails with a CloudException when the transport fails. */
    CompletableFuture<Answer> register(byte[] jsonBody);

    /** Asks for the status of operation {@code operationId}. */
    CompletableFuture<Answer> status(String operationId);

    @Override
    void close();
}
