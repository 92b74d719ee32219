package dev.imprint.mqtt.proxy;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The client's address as the listener should use it (logs, per-address limits): the source in
 * the balancer's PROXY header when there was one, else the TCP peer.
 */
public final class ProxiedAddress {
    static final AttributeKey<InetSocketAddress> SOURCE = AttributeKey.valueOf("imprint.proxy.source");

    private ProxiedAddress() {}

    public static SocketAddress remoteOf(Channel ch) {
        InetSocketAddress proxied = ch.attr(SOURCE).get();
        return proxied != null ? proxied : ch.remoteAddress();
    }
}
