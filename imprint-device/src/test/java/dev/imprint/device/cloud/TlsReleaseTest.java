package dev.imprint.device.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.imprint.device.DeviceKey;
import dev.imprint.pki.CryptoProviders;
import dev.imprint.testkit.TestPki;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCounted;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: a device builds a BoringSSL context per connection (every reconnect, rotation and
 * registration). It is freed when the connection ends, not when a finalizer runs.
 */
class TlsReleaseTest {
    static TestPki pki;

    @BeforeAll
    static void pki() {
        CryptoProviders.install();
        pki = TestPki.create();
    }

    @Test
    void the_native_context_is_freed_when_its_connection_ends() {
        assumeTrue(OpenSsl.isAvailable(), "BoringSSL not loadable here: the JDK engine owns nothing native");
        TestPki.Issued dev = pki.device("tls-1");
        SslContext ctx = Tls.client(new Identity(DeviceKey.of(dev.key()), dev.chain()), List.of(pki.root()));
        ReferenceCounted native_ = (ReferenceCounted) ctx;
        EmbeddedChannel ch = new EmbeddedChannel(Tls.handler(ctx, io.netty.buffer.ByteBufAllocator.DEFAULT, "127.0.0.1", 8883));
        Tls.release(ctx); // what Mqtt.open and HttpsConnection.open do once the channel exists
        assertThat(native_.refCnt()).as("the engine keeps the context alive while the connection lasts").isEqualTo(1);
        ch.finishAndReleaseAll();
        assertThat(native_.refCnt()).as("closed connection: context and engine freed").isZero();
    }

    @Test
    void a_context_whose_connection_never_started_is_freed_by_the_release_alone() {
        assumeTrue(OpenSsl.isAvailable(), "BoringSSL not loadable here");
        TestPki.Issued dev = pki.device("tls-2");
        SslContext ctx = Tls.client(new Identity(DeviceKey.of(dev.key()), dev.chain()), List.of(pki.root()));
        Tls.release(ctx);
        assertThat(((ReferenceCounted) ctx).refCnt()).isZero();
    }
}
