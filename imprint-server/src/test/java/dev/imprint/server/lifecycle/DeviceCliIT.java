package dev.imprint.server.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imprint.server.cli.ImprintCommand;
import dev.imprint.server.up.Node;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code imprint device factory-join|register|send|connect --state DIR}: one device from its state folder. */
class DeviceCliIT {

    record Run(int code, String out) {}

    static Run cli(String... args) {
        CommandLine cl = ImprintCommand.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(out));
        int code = cl.execute(args);
        return new Run(code, out.toString());
    }

    @Test
    @Timeout(150)
    void a_device_from_its_state_folder_registers_sends_connects_and_is_refused_once_revoked(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        Path state = tmp.resolve("device");
        try (Node server = LocalImprint.start(data, Duration.ofHours(1), Map.of("IMPRINT_CA_PASSPHRASE", "test-passphrase-not-secret"))) {
            Run st = cli("station", "create", "line1", "--ids", "line1-[0-9]{8}", "--out", tmp.resolve("st").toString(), "--data", data.toString());
            assertThat(st.code()).as(st.out()).isZero();
            int port = LocalImprint.freePort("127.0.0.1");
            CompletableFuture<Run> line = CompletableFuture.supplyAsync(() -> cli("factory", "run", "--station", tmp.resolve("st").toString(),
                    "--bus", "tcp:127.0.0.1:" + port, "--count", "1", "--batch", "b1", "--data", data.toString(), "--plain"));
            Run join = null;
            for (int i = 0; i < 100 && (join == null || join.code() != 0); i++) {
                Thread.sleep(100); // until the station listens
                join = cli("device", "factory-join", "--bus", "tcp:127.0.0.1:" + port, "--state", state.toString());
            }
            assertThat(join.code()).as(join.out()).isZero();
            assertThat(line.get(60, TimeUnit.SECONDS).code()).isZero();
            String id = Files.readString(state.resolve("device.id")).trim();

            // before any endpoints are known: a usage error that says what to do
            Run noCloud = cli("device", "register", "--state", state.toString());
            assertThat(noCloud.code()).as(noCloud.out()).isEqualTo(2);
            assertThat(noCloud.out()).contains("--endpoints");

            Run reg = cli("device", "register", "--state", state.toString(), "--endpoints", data.toString());
            assertThat(reg.code()).as(reg.out()).isZero();
            assertThat(reg.out()).contains("registered " + id, "hub 127.0.0.");
            assertThat(state.resolve("operational.pem")).exists();
            assertThat(state.resolve("cloud.json")).exists();

            Run send = cli("device", "send", "--state", state.toString(), "--body", "{\"t\":21}", "--count", "3", "--property", "unit=C");
            assertThat(send.code()).as(send.out()).isZero();
            assertThat(send.out()).contains("sent 3 message(s)", "all acknowledged");
            // the hub acknowledges on receipt and stores in batches right after: wait for the batch
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(server.store().telemetry().recent(id, 10)).hasSize(3));

            // connected: a cloud-to-device message arrives, the direct method 'ping' is answered
            CompletableFuture<Run> connect = CompletableFuture.supplyAsync(() -> cli("device", "connect", "--state", state.toString(), "--seconds", "8"));
            for (int i = 0; i < 50 && !cli("device", "show", id, "--data", data.toString()).out().contains("connected  true"); i++) {
                Thread.sleep(100);
            }
            Run c2d = cli("c2d", "send", "--device", id, "--body", "hello-device", "--data", data.toString());
            assertThat(c2d.code()).as(c2d.out()).isZero();
            Run method = cli("method", "invoke", "--device", id, "--name", "ping", "--timeout", "5", "--data", data.toString());
            assertThat(method.code()).as(method.out()).isZero();
            assertThat(method.out()).contains("pong");
            Run connected = connect.get(30, TimeUnit.SECONDS);
            assertThat(connected.code()).as(connected.out()).isZero();
            assertThat(connected.out()).contains("connected to 127.0.0.", "message: hello-device");

            Run revoke = cli("cert", "revoke", "--device", id, "--reason", "keyCompromise", "--data", data.toString());
            assertThat(revoke.code()).as(revoke.out()).isZero();
            Run again = cli("device", "register", "--state", state.toString());
            assertThat(again.code()).as(again.out()).isEqualTo(1);
            assertThat(again.out()).contains("REVOKED");
        }
    }
}
