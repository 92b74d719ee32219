package dev.imprint.mqtt;

import dev.imprint.pki.validation.ReasonCode;
import dev.imprint.pki.validation.Verdict;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AttributeKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Runs once, right after the TLS handshake (HiveMQ's {@code SslClientCertificateHandler}):
 * takes the peer's chain from the TLS session and hands it to the shared validator on the
 * validation executor (the revocation step may read the store; the event loop never waits).
 * The verdict is left on the channel for the CONNECT (which takes it off again); a failed handshake or a session without
 * a client certificate goes to the {@link Disconnector}. Removes itself afterwards.
 */
final class ClientCertificateHandler extends ChannelInboundHandlerAdapter {
    /** The verdict on the client's chain, completed on the validation executor. */
    static final AttributeKey<CompletableFuture<Verdict>> VERDICT = AttributeKey.valueOf("imprint.mqtt.verdict");

    private final Function<List<X509Certificate>, Verdict> validator;
    private final Executor executor;
    private final Disconnector disconnector;
    private final PeerChains chains;

    ClientCertificateHandler(Function<List<X509Certificate>, Verdict> validator, Executor executor, Disconnector disconnector,
            PeerChains chains) {
        this.validator = validator;
        this.chains = chains;
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
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            Certificate[] peer = peerCertificates(ssl);
            if (peer.length == 0) {
                disconnector.disconnect(ctx.channel(), null, "NO_CLIENT_CERTIFICATE", null, "the client sent no certificate");
                return;
            }
            // the chain is ours now: the TLS session need not keep its copy for the connection's life
            SessionPeerCertificates.release(ssl.engine());
            CompletableFuture<Verdict> verdict = new CompletableFuture<>();
            ctx.channel().attr(VERDICT).set(verdict);
            try {
                executor.execute(() -> verdict.complete(validate(peer)));
            } catch (RuntimeException rejected) {
                verdict.complete(new Verdict.Refused(Verdict.Step.PATH, ReasonCode.INTERNAL_ERROR, "validation executor refused: " + rejected));
            }
        }
        super.userEventTriggered(ctx, evt);
    }

    private Verdict validate(Certificate[] peer) {
        try {
            // detached copies: validating the session's own lazily parsed certificates would keep
            // them parsed on the connection for its whole life
            List<X509Certificate> chain = chains.detach(peer);
            if (chain.isEmpty()) {
                return new Verdict.Refused(Verdict.Step.WELL_FORMED_AND_POSSESSION, ReasonCode.MALFORMED, "no X.509 client certificate");
            }
            return validator.apply(chain);
        } catch (IllegalArgumentException e) {
            return new Verdict.Refused(Verdict.Step.WELL_FORMED_AND_POSSESSION, ReasonCode.MALFORMED, e.getMessage());
        } catch (RuntimeException e) {
            return new Verdict.Refused(Verdict.Step.PATH, ReasonCode.INTERNAL_ERROR, "validator failed: " + e);
        }
    }

    static Certificate[] peerCertificates(SslHandler ssl) {
        try {
            Certificate[] peer = ssl.engine().getSession().getPeerCertificates();
            return peer == null ? new Certificate[0] : peer;
        } catch (SSLPeerUnverifiedException e) {
            return new Certificate[0];
        }
    }
}
