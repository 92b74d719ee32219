package dev.imprint.mqtt;

import io.netty.channel.EventLoop;
import java.util.concurrent.ConcurrentHashMap;

/** One {@link KeepAliveWheel} per event loop of a server, made when the loop's first connection is admitted. */
final class KeepAliveWheels {
    private final ConcurrentHashMap<EventLoop, KeepAliveWheel> byLoop = new ConcurrentHashMap<>();

    KeepAliveWheel of(EventLoop loop) {
        return byLoop.computeIfAbsent(loop, KeepAliveWheel::new);
    }
}
