package dev.imprint.device.cloud;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.time.Duration;

/**
 * The threads many devices share: one Netty event loop group for every connection (DPS, EST,
 * hub) and for timers (polls, back-off, rotation). A device never blocks these threads.
 */
public final class DeviceRuntime implements AutoCloseable {
    private static volatile DeviceRuntime shared;

    private final EventLoopGroup group;

    public DeviceRuntime(int threads) {
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("imprint-device", true), NioIoHandler.newFactory());
    }

    /** One runtime per process for code that does not make its own (daemon threads, one per core). */
    public static DeviceRuntime shared() {
        DeviceRuntime r = shared;
        if (r == null) {
            synchronized (DeviceRuntime.class) {
                if (shared == null) {
                    shared = new DeviceRuntime(Runtime.getRuntime().availableProcessors());
                }
                r = shared;
            }
        }
        return r;
    }

    EventLoopGroup group() {
        return group;
    }

    /** A client bootstrap on this runtime's threads: NIO, no Nagle, connect timeout. */
    Bootstrap bootstrap(Duration connectTimeout) {
        return new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis());
    }

    ScheduledFuture<?> schedule(Duration delay, Runnable r) {
        return group.next().schedule(r, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    /** A future completed after {@code delay}. */
    CompletableFuture<Void> sleep(Duration delay) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        schedule(delay, () -> f.complete(null));
        return f;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
