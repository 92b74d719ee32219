package dev.imprint.device.cloud;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One mutual-TLS HTTP/1.1 connection for a short conversation (a DPS register and its polls, an
 * EST re-enrollment): requests go one at a time, each answer completes its future.
 */
final class HttpsConnection implements AutoCloseable {
    /** An answer. @param retryAfter the Retry-After header in seconds, or -1 */
    record Response(int status, byte[] body, int retryAfter) {
        String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private final Channel channel;
    private final String hostHeader;
    private volatile CompletableFuture<Response> pending;

    private HttpsConnection(Channel channel, String hostHeader) {
        this.channel = channel;
        this.hostHeader = hostHeader;
    }

    /** Connects and completes the TLS handshake. Takes {@code ssl} over: made for this connection, released once the connect attempt is over. */
    static CompletableFuture<HttpsConnection> open(DeviceRuntime rt, URI base, SslContext ssl, Duration timeout) {
        String host = base.getHost();
        int port = base.getPort() > 0 ? base.getPort() : 443;
        CompletableFuture<HttpsConnection> done = new CompletableFuture<>();
        HttpsConnection[] self = new HttpsConnection[1];
        rt.bootstrap(timeout).handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        self[0] = new HttpsConnection(ch, host + ":" + port);
                        ch.pipeline().addLast(Tls.handler(ssl, ch.alloc(), host, port), new HttpClientCodec(),
                                new HttpObjectAggregator(1 << 20), new SimpleChannelInboundHandler<FullHttpResponse>() {
                                    @Override
                                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                        if (evt instanceof SslHandshakeCompletionEvent hs) {
                                            if (hs.isSuccess()) {
                                                done.complete(self[0]);
                                            } else {
                                                done.completeExceptionally(CloudException.of(hs.cause()));
                                                ctx.close();
                                            }
                                        }
                                    }

                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                        String ra = r.headers().get(HttpHeaderNames.RETRY_AFTER);
                                        int retryAfter = -1;
                                        try {
                                            retryAfter = ra == null ? -1 : Integer.parseInt(ra.trim());
                                        } catch (NumberFormatException ignored) {
                                            // an HTTP date: treat as absent
                                        }
                                        CompletableFuture<Response> p = self[0].pending;
                                        if (p != null) {
                                            p.complete(new Response(r.status().code(), ByteBufUtil.getBytes(r.content()), retryAfter));
                                        }
                                    }

                                    @Override
                                    public void channelInactive(ChannelHandlerContext ctx) {
                                        CloudException closed = CloudException.transientFailure("CLOSED", "the server closed the connection");
                                        done.completeExceptionally(closed);
                                        CompletableFuture<Response> p = self[0].pending;
                                        if (p != null) {
                                            p.completeExceptionally(closed);
                                        }
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        done.completeExceptionally(CloudException.of(cause));
                                        ctx.close();
                                    }
                                });
                    }
                })
                .connect(host, port).addListener(f -> {
                    Tls.release(ssl); // the channel was initialised on registration: its engine holds its own reference
                    if (!f.isSuccess()) {
                        done.completeExceptionally(CloudException.of(f.cause()));
                    }
                });
        return done.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends one request; the future completes with the answer or fails with a CloudException. */
    CompletableFuture<Response> send(HttpMethod method, String pathAndQuery, String contentType, byte[] body, Duration timeout) {
        CompletableFuture<Response> p = new CompletableFuture<>();
        pending = p;
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, pathAndQuery,
                body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        req.headers().set(HttpHeaderNames.HOST, hostHeader).set(HttpHeaderNames.ACCEPT, "application/json")
                .set(HttpHeaderNames.CONTENT_LENGTH, body == null ? 0 : body.length);
        if (contentType != null) {
            req.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        channel.writeAndFlush(req).addListener(f -> {
            if (!f.isSuccess()) {
                p.completeExceptionally(CloudException.of(f.cause()));
            }
        });
        return p.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(t -> CompletableFuture.failedFuture(CloudException.of(t)));
    }

    @Override
    public void close() {
        channel.close();
    }
}
