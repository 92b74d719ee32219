package dev.imprint.device.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What arrives, handed to the application on the device's thread: desired changes in version order, methods, the session's end. */
class InboundDispatchTest {
    static DeviceRuntime rt;

    @BeforeAll
    static void start() {
        rt = new DeviceRuntime(1);
    }

    @AfterAll
    static void stop() {
        rt.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Waits until everything queued on the loop before this call has run. */
    private static void drain(io.netty.channel.EventLoop loop) throws Exception {
        CompletableFuture<Void> f = new CompletableFuture<>();
        loop.execute(() -> f.complete(null));
        f.get(5, TimeUnit.SECONDS);
    }

    @Test
    void desired_changes_reach_the_listener_once_each_in_version_order_and_a_throwing_listener_is_survived() throws Exception {
        io.netty.channel.EventLoop loop = rt.group().next();
        InboundDispatch in = new InboundDispatch(loop, "d-1", new DeviceClient.Events() {}, why -> { });
        List<Long> seen = new CopyOnWriteArrayList<>();
        in.onDesired(p -> {
            seen.add(p.path("$version").asLong());
            if (p.path("boom").asBoolean()) {
                throw new IllegalStateException("the application's bug");
            }
        });
        in.desired(b("{\"led\":\"on\",\"$version\":3}"));
        in.desired(b("{\"led\":\"off\",\"$version\":2}")); // older than the one handed over: dropped
        in.desired(b("{\"boom\":true,\"$version\":4}"));
        in.desired(b("{\"led\":\"on\",\"$version\":5}"));
        in.desired(b("not json"));
        drain(loop);
        assertThat(seen).containsExactly(3L, 4L, 5L);
    }

    @Test
    void a_method_without_a_handler_is_404_and_with_one_its_answer() throws Exception {
        InboundDispatch in = new InboundDispatch(rt.group().next(), "d-1", new DeviceClient.Events() {}, why -> { });
        assertThat(in.method("reboot", new byte[0]).get(5, TimeUnit.SECONDS)).isEqualTo(Map.entry(404, "{\"error\":\"no such method\"}"));
        in.onMethodCall("reboot", p -> new MethodResponse(202, "{\"ok\":true}"));
        assertThat(in.method("reboot", new byte[0]).get(5, TimeUnit.SECONDS)).isEqualTo(Map.entry(202, "{\"ok\":true}"));
    }

    @Test
    void the_end_of_the_session_goes_to_the_life_cycle_on_the_devices_thread() throws Exception {
        io.netty.channel.EventLoop loop = rt.group().next();
        CompletableFuture<String> lost = new CompletableFuture<>();
        InboundDispatch in = new InboundDispatch(loop, "d-1", new DeviceClient.Events() {},
                why -> lost.complete(why.code() + (loop.inEventLoop() ? " on loop" : " elsewhere")));
        in.closed(CloudException.transientFailure("REVOKED", "cut"));
        assertThat(lost.get(5, TimeUnit.SECONDS)).isEqualTo("REVOKED on loop");
    }
}
