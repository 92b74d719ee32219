package dev.imprint.device.cloud;

import io.netty.channel.EventLoop;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The device's telemetry outbox: messages wait here while the device is not connected, go out at
 * QoS 1 on the session it is {@link #attach attached} to (at most {@code window} in flight), and
 * leave only at the server's PUBACK. One lost on the way (a transient failure) goes first again on
 * the next session; one the server refused (a permanent failure) fails, since it would be refused
 * again. After {@link #stop} every message still queued, and every later one, fails.
 *
 * <p>State is confined to {@code loop}; {@link #send} and {@link #size} may be called from any thread.
 */
final class TelemetryQueue {
    private record Pending(String properties, byte[] body, CompletableFuture<Void> acked) {}

    private final EventLoop loop;
    private final int window;

    // on loop
    private final ArrayDeque<Pending> outbox = new ArrayDeque<>();
    private final Set<Pending> inflight = new HashSet<>();
    private Session session;
    private CloudException stopped;
    private volatile int size; // outbox + in flight, for readers on other threads

    TelemetryQueue(EventLoop loop, int window) {
        this.loop = loop;
        this.window = window;
    }

    /**
     * Queues a message; completes at the server's PUBACK, fails when the server refuses it or the
     * queue is stopped (with the stop's code).
     *
     * @param properties application properties (URL-encoded for the session), may be empty
     */
    CompletableFuture<Void> send(byte[] body, Map<String, String> properties) {
        Pending m = new Pending(encode(properties), body, new CompletableFuture<>());
        loop.execute(() -> {
            if (stopped != null) {
                m.acked().completeExceptionally(CloudException.refused(stopped.code(), "the device stopped"));
                return;
            }
            outbox.add(m);
            pump();
        });
        return m.acked();
    }

    /** Sends on {@code s} from now on (on loop). */
    void attach(Session s) {
        session = s;
        pump();
    }

    /** Sends nothing more until the next {@link #attach}; what is in flight finishes or comes back (on loop). */
    void detach() {
        session = null;
    }

    /** Fails what is queued with {@code why}, and every later message; the first stop's reason stays (on loop). */
    void stop(CloudException why) {
        session = null;
        if (stopped == null) {
            stopped = why;
        }
        var dropped = new ArrayDeque<>(outbox);
        outbox.clear();
        updateSize();
        dropped.forEach(p -> p.acked().completeExceptionally(why));
    }

    /** Messages sent and not yet acknowledged (on loop). */
    int inFlight() {
        return inflight.size();
    }

    /** Messages not yet acknowledged, queued or in flight (any thread). */
    int size() {
        return size;
    }

    private void pump() {
        Session c = session;
        while (c != null && c.active() && inflight.size() < window && !outbox.isEmpty()) {
            Pending p = outbox.poll();
            inflight.add(p);
            c.sendTelemetry(p.properties(), p.body()).whenCompleteAsync((v, t) -> {
                inflight.remove(p);
                boolean again = t != null && stopped == null && !CloudException.of(t).permanent();
                if (again) {
                    outbox.addFirst(p); // not acknowledged: it goes again on the next connection
                }
                updateSize(); // before the sender hears of it: it may read size() at once
                if (t == null) {
                    p.acked().complete(null);
                } else if (!again) {
                    // a message the server refused would be refused again: it fails instead of going round
                    p.acked().completeExceptionally(CloudException.of(t));
                }
                pump();
            }, loop);
        }
        updateSize();
    }

    private void updateSize() {
        size = outbox.size() + inflight.size();
    }

    private static String encode(Map<String, String> properties) {
        StringBuilder p = new StringBuilder();
        properties.forEach((k, v) -> p.append(p.length() == 0 ? "" : "&").append(enc(k)).append('=').append(enc(v)));
        return p.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
