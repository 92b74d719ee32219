package dev.imprint.dps.protocol.https;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.io.IOException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** Which reason a connection that never became HTTP is logged with; requests over a size limit are InvalidRequests' to answer. */
class HandshakeRefusalsTest {
    @Test
    void tls_failures_and_timeouts_have_their_own_codes() {
        assertThat(HandshakeRefusals.reasonOf(new SslHandshakeTimeoutException("10 s"))).isEqualTo("TLS_HANDSHAKE_TIMEOUT");
        assertThat(HandshakeRefusals.reasonOf(new DecoderException(new SSLHandshakeException("no cipher")))).isEqualTo("TLS_HANDSHAKE_FAILED");
        assertThat(HandshakeRefusals.reasonOf(new IOException("reset"))).isEqualTo("CONNECTION_LOST");
    }

    @Test
    void an_http_line_or_headers_over_the_limit_is_not_called_a_tls_failure() {
        assertThat(HandshakeRefusals.reasonOf(new TooLongHttpLineException("line"))).isNull();
        assertThat(HandshakeRefusals.reasonOf(new TooLongHttpHeaderException("headers"))).isNull();
    }
}
