package dev.imprint.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.imprint.testkit.TestPki;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.nio.ByteBuffer;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.Test;

/** The hub's own TLS context, a real mutual handshake in memory, and the session's copy of the client chain dropped after it. */
class SessionPeerCertificatesTest {
    private final TestPki pki = TestPki.create();

    @Test
    void the_openssl_session_gives_up_its_copy_of_the_client_chain_once_taken() throws Exception {
        assumeThat(OpenSsl.isAvailable()).as("BoringSSL loads here").isTrue();
        TestPki.Issued server = pki.device("hub.test");
        TestPki.Issued device = pki.device("dev-1");
        ServerTls tls = ServerTls.create(server.key().getPrivate(), List.of(server.cert(), pki.intermediate()), true);
        SslContext client = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols("TLSv1.3")
                .keyManager(device.key().getPrivate(), device.cert(), pki.intermediate())
                .trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        SSLEngine s = tls.context().newEngine(ByteBufAllocator.DEFAULT);
        SSLEngine c = client.newEngine(ByteBufAllocator.DEFAULT, "hub.test", 8883);
        try {
            handshake(c, s);
            assertThat(s.getSession().getPeerCertificates()).hasSize(2);
            assertThat(SessionPeerCertificates.release(s)).as("Netty's session fields found").isTrue();
            assertThatThrownBy(() -> s.getSession().getPeerCertificates()).isInstanceOf(SSLPeerUnverifiedException.class);
            // the session's value map and the engine's protocol set, per connection, go too (read the same after)
            assertThat(field(session(s), "keyValueStorage")).as("session value map").isSameAs(java.util.Collections.emptyMap());
            assertThat(field(s, "enabledProtocols").getClass().getName()).as("enabled protocols").startsWith("java.util.ImmutableCollections");
            assertThat(s.getEnabledProtocols()).contains("TLSv1.3", "TLSv1.2");
            assertThat(s.getSession().getValueNames()).isEmpty();
            // the connection still works after it: application data both ways
            assertThat(roundTrip(c, s, "ping")).isEqualTo("ping");
            assertThat(roundTrip(s, c, "pong")).isEqualTo("pong");
        } finally {
            io.netty.util.ReferenceCountUtil.release(s);
            io.netty.util.ReferenceCountUtil.release(tls.context());
        }
    }

    @Test
    void another_engine_is_left_alone() throws Exception {
        SslContext jdk = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).build();
        assertThat(SessionPeerCertificates.release(jdk.newEngine(ByteBufAllocator.DEFAULT))).isFalse();
    }

    /** The engine's own session object, under the wrapper it may be in. */
    private static Object session(SSLEngine e) throws Exception {
        Object s = field(e, "session");
        try {
            return field(s, "wrapped");
        } catch (NoSuchFieldException notWrapped) {
            return s;
        }
    }

    /** A private field of {@code o}'s class or a superclass. */
    private static Object field(Object o, String name) throws Exception {
        for (Class<?> c = o.getClass(); c != null; c = c.getSuperclass()) {
            try {
                java.lang.reflect.Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(o);
            } catch (NoSuchFieldException next) {
                // up one class
            }
        }
        throw new NoSuchFieldException(name);
    }

    private static void handshake(SSLEngine c, SSLEngine s) throws Exception {
        c.beginHandshake();
        s.beginHandshake();
        ByteBuffer toServer = ByteBuffer.allocate(64 * 1024);
        ByteBuffer toClient = ByteBuffer.allocate(64 * 1024);
        ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
        for (int i = 0; i < 200 && (busy(c) || busy(s)); i++) {
            step(c, toServer, toClient, sink);
            step(s, toClient, toServer, sink);
        }
        assertThat(busy(c) || busy(s)).as("handshake finished").isFalse();
    }

    private static boolean busy(SSLEngine e) {
        HandshakeStatus h = e.getHandshakeStatus();
        return h != HandshakeStatus.NOT_HANDSHAKING && h != HandshakeStatus.FINISHED;
    }

    /** One round for one side: run tasks, wrap what it has to send, unwrap what it got. */
    private static void step(SSLEngine e, ByteBuffer out, ByteBuffer in, ByteBuffer sink) throws Exception {
        Runnable task;
        while ((task = e.getDelegatedTask()) != null) {
            task.run();
        }
        e.wrap(ByteBuffer.allocate(0), out);
        in.flip();
        while (in.hasRemaining()) {
            int before = in.remaining();
            e.unwrap(in, sink);
            while ((task = e.getDelegatedTask()) != null) {
                task.run();
            }
            if (in.remaining() == before) {
                break;
            }
        }
        in.compact();
        sink.clear();
    }

    private static String roundTrip(SSLEngine from, SSLEngine to, String text) throws Exception {
        ByteBuffer wire = ByteBuffer.allocate(64 * 1024);
        ByteBuffer src = ByteBuffer.wrap(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        // (a TLS 1.3 server may send its session tickets first)
        for (int i = 0; i < 10 && src.hasRemaining(); i++) {
            from.wrap(src, wire);
        }
        wire.flip();
        ByteBuffer plain = ByteBuffer.allocate(64 * 1024);
        while (wire.hasRemaining()) {
            int before = wire.remaining();
            to.unwrap(wire, plain);
            if (wire.remaining() == before) {
                break;
            }
        }
        plain.flip();
        return java.nio.charset.StandardCharsets.UTF_8.decode(plain).toString();
    }
}
