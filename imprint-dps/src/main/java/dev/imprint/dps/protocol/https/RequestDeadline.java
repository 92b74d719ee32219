package dev.imprint.dps.protocol.https;

import dev.imprint.mqtt.proxy.ProxiedAddress;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.impl.ConnectionBase;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deadline on every HTTP/1.x request: from its first byte (for a connection's first request:
 * from the end of the TLS handshake) to its last (headers and body), however the bytes trickle in. The idle timer alone cannot do this: every byte restarts it, so
 * a header or a chunked body sent one byte every few seconds would hold a connection (and a file
 * descriptor) for ever. When the deadline passes the connection is closed with reason code
 * REQUEST_TIMEOUT, logged and counted in {@code imprint.https.refusals{server,reason}}.
 *
 * <p>Two small Netty handlers share one clock per connection: one at the head of the pipeline
 * (raw bytes, before TLS: the first byte of a request starts the clock), one just before Vert.x's
 * own handler (decoded HTTP: the request's last content stops it). Waiting between keep-alive
 * requests is not a request: the idle timer governs it as before. The time to answer is not
 * counted either: the deadline is on what the client sends.
 */
public final class RequestDeadline {
    private static final Logger LOG = LoggerFactory.getLogger(RequestDeadline.class);
    /** Default for every HTTPS listener: far beyond what a device needs to send a CSR or a registration. */
    public static final Duration DEFAULT = Duration.ofSeconds(30);

    private final Duration deadline;
    private final String server;
    private final MeterRegistry meters;

    private RequestDeadline(Duration deadline, String server, MeterRegistry meters) {
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("request deadline must be positive: " + deadline);
        }
        this.deadline = deadline;
        this.server = server;
        this.meters = meters == null ? Metrics.globalRegistry : meters;
    }

    /**
     * Puts the deadline on every connection {@code http} accepts (call before {@code listen}; it
     * takes the server's connection, exception and invalid-request handlers), and counts the connections that end
     * before HTTP ({@link HandshakeRefusals}) and the requests that cannot be read ({@link InvalidRequests}).
     *
     * @param meters where REQUEST_TIMEOUT is counted; null: Micrometer's global registry
     */
    public static HttpServer install(HttpServer http, Duration deadline, String server, MeterRegistry meters) {
        RequestDeadline d = new RequestDeadline(deadline, server, meters);
        // the deadline starts once TLS is done: what happens before it is counted there
        // and requests the decoder cannot read (431, 414) are answered with a reason code, not Vert.x's empty default
        return HandshakeRefusals.install(InvalidRequests.install(http.connectionHandler(d::watch), server, d.meters), server, d.meters);
    }

    private void watch(HttpConnection conn) {
        if (!(conn instanceof ConnectionBase c)) {
            // an HTTP/1.x connection on Vert.x 5 always is one; fail loudly in tests if that ever changes
            throw new IllegalStateException("cannot put a request deadline on " + conn.getClass());
        }
        Clock clock = new Clock(c.channel());
        c.channel().pipeline().addFirst("imprint-request-start", clock.start);
        c.channel().pipeline().addBefore(c.channelHandlerContext().name(), "imprint-request-end", clock.end);
        // the first request's bytes may have come with the TLS handshake's last flight, before these
        // handlers existed: its clock starts now, or a request sent whole-but-unfinished at once and
        // then left silent would never have one (found by the abuse tests: held until the idle timeout)
        clock.begin();
    }

    /** The clock of one connection; everything runs on its event loop. */
    private final class Clock {
        private final Channel ch;
        private ScheduledFuture<?> running;

        Clock(Channel ch) {
            this.ch = ch;
        }

        final ChannelInboundHandlerAdapter start = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                begin();
                ctx.fireChannelRead(msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                stop();
                ctx.fireChannelInactive();
            }
        };

        final ChannelInboundHandlerAdapter end = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof LastHttpContent) {
                    // the next byte (pipelined or after a pause) starts the next request's clock
                    stop();
                }
                ctx.fireChannelRead(msg);
            }
        };

        void begin() {
            if (running == null) {
                running = ch.eventLoop().schedule(Clock.this::expired, deadline.toMillis(), TimeUnit.MILLISECONDS);
            }
        }

        private void stop() {
            if (running != null) {
                running.cancel(false);
                running = null;
            }
        }

        private void expired() {
            running = null;
            if (!ch.isActive()) {
                return;
            }
            LOG.info("event=https.refused server={} remote={} reason=REQUEST_TIMEOUT msg=\"request not complete within {} ms\"",
                    server, ProxiedAddress.remoteOf(ch), deadline.toMillis());
            meters.counter("imprint.https.refusals", "server", server, "reason", "REQUEST_TIMEOUT").increment();
            ch.close();
        }
    }
}
