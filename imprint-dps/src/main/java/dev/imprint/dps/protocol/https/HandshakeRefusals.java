package dev.imprint.dps.protocol.https;

import dev.imprint.pki.LogSafe;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.vertx.core.http.HttpServer;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connections that end before they become HTTP connections: a TLS handshake that never finishes
 * (Vert.x closes it at the listener's handshake timeout, 10 s) and one that fails (garbage, a
 * wrong protocol, no shared cipher). Vert.x closes both silently; an operator watching a flood of
 * half-open connections needs to see them, so each is logged with a reason code and counted in
 * {@code imprint.https.refusals{server,reason}}: TLS_HANDSHAKE_TIMEOUT, TLS_HANDSHAKE_FAILED.
 * Anything else before HTTP (a reset mid-handshake) is CONNECTION_LOST.
 */
final class HandshakeRefusals {
    private static final Logger LOG = LoggerFactory.getLogger(HandshakeRefusals.class);

    private HandshakeRefusals() {}

    /** Takes {@code http}'s exception handler (errors before a connection is HTTP; call before {@code listen}). */
    static HttpServer install(HttpServer http, String server, MeterRegistry meters) {
        return http.exceptionHandler(e -> {
            String reason = reasonOf(e);
            if (reason == null) {
                return;
            }
            LOG.info("event=https.refused server={} reason={} msg=\"{}\"", server, reason, LogSafe.of(String.valueOf(e)));
            meters.counter("imprint.https.refusals", "server", server, "reason", reason).increment();
        });
    }

    /** The reason code, or null for an HTTP request over a size limit: {@link InvalidRequests} answers, logs and counts that one. */
    static String reasonOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof io.netty.handler.codec.TooLongFrameException) {
                return null;
            }
            if (t instanceof SslHandshakeTimeoutException) {
                return "TLS_HANDSHAKE_TIMEOUT";
            }
            if (t instanceof SSLException || t instanceof DecoderException) {
                return "TLS_HANDSHAKE_FAILED";
            }
        }
        return "CONNECTION_LOST";
    }
}
