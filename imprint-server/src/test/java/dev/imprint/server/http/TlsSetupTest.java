package dev.imprint.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imprint.dps.protocol.https.BalancedVertx;
import dev.imprint.mqtt.proxy.Balancers;
import dev.imprint.server.config.ImprintConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The HTTPS listener uses the PROXY protocol only with balancers, and only on a Vertx that enforces who may send it. */
class TlsSetupTest {
    private static final ImprintConfig.Https HTTPS = new ImprintConfig.Https(new ImprintConfig.Listener("127.0.0.1", 8443),
            ImprintConfig.TlsEngine.AUTO, List.of(), 4, 30);
    private static final Path CERT = Path.of("server.pem");
    private static final Path KEY = Path.of("server.key");

    @Test
    void no_balancers_no_proxy_protocol() {
        Vertx vertx = Vertx.vertx();
        try {
            assertThat(TlsSetup.httpsOptions(vertx, HTTPS, Balancers.none(), CERT, KEY).options().isUseProxyProtocol()).isFalse();
        } finally {
            vertx.close();
        }
    }

    @Test
    void balancers_on_a_gated_vertx_turn_the_proxy_protocol_on() {
        Balancers lb = Balancers.parse("127.0.0.30");
        Vertx vertx = BalancedVertx.create(new VertxOptions(), lb, "https", null);
        try {
            assertThat(TlsSetup.httpsOptions(vertx, HTTPS, lb, CERT, KEY).options().isUseProxyProtocol()).isTrue();
        } finally {
            vertx.close();
        }
    }

    @Test
    void balancers_on_a_plain_vertx_are_refused_rather_than_trusting_every_header() {
        Vertx vertx = Vertx.vertx();
        try {
            assertThatThrownBy(() -> TlsSetup.httpsOptions(vertx, HTTPS, Balancers.parse("127.0.0.30"), CERT, KEY))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("no PROXY gate");
        } finally {
            vertx.close();
        }
    }
}
