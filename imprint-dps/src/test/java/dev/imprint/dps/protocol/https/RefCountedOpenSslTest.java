package dev.imprint.dps.protocol.https;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.imprint.pki.CryptoProviders;
import dev.imprint.pki.Pem;
import dev.imprint.testkit.TestPki;
import io.netty.handler.ssl.OpenSsl;
import io.netty.util.ReferenceCounted;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: the Vert.x HTTPS servers' BoringSSL engines are freed when their connection ends,
 * not by a finalizer. Each open engine holds a reference to its context, so the context's count
 * is 1 plus the connections alive.
 */
class RefCountedOpenSslTest {

    @Test
    void each_connection_engine_is_freed_when_it_ends_and_the_context_on_release() throws Exception {
        assumeTrue(OpenSsl.isAvailable(), "BoringSSL not loadable here: the JDK engine owns nothing native");
        CryptoProviders.install();
        TestPki.Issued server = TestPki.create().device("https-1");
        RefCountedOpenSsl engine = new RefCountedOpenSsl();
        Vertx vertx = Vertx.vertx();
        List<SSLSocket> clients = new ArrayList<>();
        try {
            HttpServer s = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
                            .setKeyCertOptions(new PemKeyCertOptions().setKeyValue(Buffer.buffer(Pem.write(server.key().getPrivate())))
                                    .setCertValue(Buffer.buffer(Pem.write(server.cert()))))
                            .setSslEngineOptions(engine))
                    .requestHandler(r -> r.response().end("ok"))
                    .listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            for (int i = 0; i < 3; i++) {
                clients.add(get(s.actualPort()));
            }
            assertThat(engine.contexts()).hasSize(1);
            ReferenceCounted ctx = engine.contexts().get(0);
            assertThat(ctx.refCnt()).as("the context, and one engine per open connection").isEqualTo(4);

            for (SSLSocket c : clients) {
                c.close();
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ctx.refCnt() == 1);
            clients.add(get(s.actualPort()));
            clients.get(3).close();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ctx.refCnt() == 1);

            s.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            engine.release();
            assertThat(ctx.refCnt()).as("closed server: context freed").isZero();
        } finally {
            for (SSLSocket c : clients) {
                c.close();
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** One keep-alive request on a new TLS connection, left open. */
    private static SSLSocket get(int port) throws Exception {
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {new TrustingClient()}, null);
        SSLSocket c = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port);
        c.setSoTimeout(10_000);
        c.getOutputStream().write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        c.getOutputStream().flush();
        InputStream in = c.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("ok")) {
            int b = in.read();
            assertThat(b).as("response so far: " + head).isNotNegative();
            head.append((char) b);
        }
        assertThat(head).startsWith("HTTP/1.1 200");
        return c;
    }

    /** The server's certificate is a device leaf from a test PKI: what is checked here is the server's memory, not its name. */
    private static final class TrustingClient implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
