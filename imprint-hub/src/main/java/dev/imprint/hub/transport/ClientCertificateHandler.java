package dev.imprint.hub.transport;

import dev.imprint.pki.validation.ReasonCode;
import dev.imprint.pki.validation.Verdict;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AttributeKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Runs once, right after the TLS handshake (HiveMQ's {@code SslClientCertificateHandler}):
 * takes the peer's chain from the TLS session and hands it to the shared validator on the
 * validation executor (the revocation step may read the store; the event loop never waits).
 * The verdict is left on the channel for the CONNECT; a failed handshake or a session without
 * a client certificate goes to the {@link Disconnector}. Removes itself afterwards.
 */
final class ClientCertificateHandler extends ChannelInboundHandlerAdapter {
    /** The verdict on the client's chain, completed on the validation executor. */
    static final AttributeKey<CompletableFuture<Verdict>> VERDICT = AttributeKey.valueOf("imprint.mqtt.verdict");
    /** The validated leaf (for expiry and revocation tracking), set with the verdict. */
    static final AttributeKey<List<X509Certificate>> PEER_CHAIN = AttributeKey.valueOf("imprint.mqtt.peerChain");

    private final Function<List<X509Certificate>, Verdict> validator;
    private final Executor executor;
    private final Disconnector disconnector;

    ClientCertificateHandler(Function<List<X509Certificate>, Verdict> validator, Executor executor, Disconnector disconnector) {
        this.validator = validator;
        this.executor = executor;
        this.disconnector = disconnector;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            ctx.pipeline().remove(this);
            if (!done.isSuccess()) {
                disconnector.disconnect(ctx.channel(), null, "TLS_HANDSHAKE_FAILED", null, String.valueOf(done.cause()));
                return;
            }
            List<X509Certificate> chain = peerChain(ctx.pipeline().get(SslHandler.class));
            if (chain.isEmpty()) {
                disconnector.disconnect(ctx.channel(), null, "NO_CLIENT_CERTIFICATE", null, "the client sent no certificate");
                return;
            }
            ctx.channel().attr(PEER_CHAIN).set(chain);
            CompletableFuture<Verdict> verdict = new CompletableFuture<>();
            ctx.channel().attr(VERDICT).set(verdict);
            try {
                executor.execute(() -> verdict.complete(validate(chain)));
            } catch (RuntimeException rejected) {
                verdict.complete(new Verdict.Refused(Verdict.Step.PATH, ReasonCode.INTERNAL_ERROR, "validation executor refused: " + rejected));
            }
        }
        super.userEventTriggered(ctx, evt);
    }

    private Verdict validate(List<X509Certificate> chain) {
        try {
            return validator.apply(chain);
        } catch (RuntimeException e) {
            return new Verdict.Refused(Verdict.Step.PATH, ReasonCode.INTERNAL_ERROR, "validator failed: " + e);
        }
    }

    static List<X509Certificate> peerChain(SslHandler ssl) {
        List<X509Certificate> out = new ArrayList<>();
        try {
            for (Certificate c : ssl.engine().getSession().getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    out.add(x);
                }
            }
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
        return out;
    }
}
