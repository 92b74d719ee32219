package dev.imprint.device.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What arrives from the cloud, handed to the application's listeners on the device's thread:
 * cloud-to-device messages, direct methods (404 without a handler), desired-state changes in
 * version order (a patch or delta only when newer than the last one handed over; after each
 * connection the whole desired document when it changed meanwhile). A listener that throws is
 * logged, never the device's end. The end of a session goes to {@code lost}.
 */
final class InboundDispatch implements Session.Inbound {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(InboundDispatch.class);

    private final EventLoop loop;
    private final String deviceId;
    private final DeviceClient.Events events;
    private final Consumer<CloudException> lost;
    private volatile Map<String, Function<byte[], MethodResponse>> methods = Map.of();
    private volatile Consumer<JsonNode> desiredListener;
    private volatile Consumer<CloudMessage> c2dListener;
    private long desiredVersion = -1; // the last desired version handed to the listener (on loop)

    InboundDispatch(EventLoop loop, String deviceId, DeviceClient.Events events, Consumer<CloudException> lost) {
        this.loop = loop;
        this.deviceId = deviceId;
        this.events = events;
        this.lost = lost;
    }

    void onMethodCall(String name, Function<byte[], MethodResponse> handler) {
        Map<String, Function<byte[], MethodResponse>> m = new HashMap<>(methods);
        m.put(name, handler);
        methods = Map.copyOf(m);
    }

    void onDesired(Consumer<JsonNode> listener) {
        desiredListener = listener;
    }

    void onCloudToDevice(Consumer<CloudMessage> listener) {
        c2dListener = listener;
    }

    /** After a (re)connect: the desired document, when it changed since the listener last saw it. */
    void catchUpDesired(Session c, Duration timeout) {
        if (desiredListener == null) {
            return;
        }
        c.getTwin(timeout).thenApply(Twin::parse).whenCompleteAsync((t, e) -> {
            Consumer<JsonNode> l = desiredListener;
            if (e == null && l != null && t.desiredVersion() > desiredVersion) {
                desiredVersion = t.desiredVersion();
                deliver(l, t.desired());
            }
        }, loop);
    }

    @Override
    public void cloudToDevice(String properties, byte[] body) {
        loop.execute(() -> {
            events.cloudToDevice(properties, body);
            Consumer<CloudMessage> l = c2dListener;
            if (l != null) {
                deliver(l, CloudMessage.of(properties, body));
            }
        });
    }

    @Override
    public CompletableFuture<Map.Entry<Integer, String>> method(String name, byte[] payload) {
        var h = methods.get(name);
        if (h == null) {
            return CompletableFuture.completedFuture(Map.entry(404, "{\"error\":\"no such method\"}"));
        }
        return CompletableFuture.supplyAsync(() -> {
            MethodResponse r = h.apply(payload);
            return Map.entry(r.status(), r.json());
        }, loop);
    }

    @Override
    public void desired(byte[] patch) {
        loop.execute(() -> {
            try {
                JsonNode p = JSON.readTree(patch);
                long v = p.path("$version").asLong(-1);
                if (v < 0 || v > desiredVersion) {
                    desiredVersion = Math.max(desiredVersion, v);
                    Consumer<JsonNode> l = desiredListener;
                    if (l != null) {
                        deliver(l, p);
                    }
                }
            } catch (java.io.IOException e) {
                events.transientError("BAD_DESIRED_PATCH");
            }
        });
    }

    @Override
    public void closed(CloudException why) {
        loop.execute(() -> lost.accept(why));
    }

    /** Listeners are the application's code: a throw is logged, never the device's end. */
    private <T> void deliver(Consumer<T> listener, T value) {
        try {
            listener.accept(value);
        } catch (RuntimeException e) {
            LOG.warn("event=device.listener_failed device={} msg=\"{}\"", deviceId, e.toString());
        }
    }
}
