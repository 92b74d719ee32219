package dev.imprint.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.imprint.device.bus.BusChannel;
import dev.imprint.device.bus.BusException;
import dev.imprint.device.bus.Buses;
import dev.imprint.device.bus.Frame;
import dev.imprint.device.bus.FrameType;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The serial bus over a pseudo-terminal pair made by socat (skipped, with a message, when socat is absent). */
@Timeout(30)
class SerialLineTest {
    private Process socat;
    private Path a;
    private Path b;

    @BeforeEach
    void ptys() throws Exception {
        boolean have = Files.isExecutable(Path.of("/usr/bin/socat")) || Files.isExecutable(Path.of("/bin/socat"));
        assumeTrue(have, "socat not installed: serial bus test skipped (apt-get install socat)");
        socat = new ProcessBuilder("socat", "-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0").redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(socat.getInputStream()));
        List<Path> ptys = new ArrayList<>();
        Pattern p = Pattern.compile("PTY is (\\S+)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ptys.size() < 2 && System.nanoTime() < deadline) {
            String line = r.readLine();
            if (line == null) {
                break;
            }
            Matcher m = p.matcher(line);
            if (m.find()) {
                ptys.add(Path.of(m.group(1)));
            }
        }
        assertThat(ptys).as("socat printed two ptys").hasSize(2);
        a = ptys.get(0);
        b = ptys.get(1);
    }

    @AfterEach
    void stop() throws Exception {
        if (socat != null) {
            socat.destroy();
            socat.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void frames_cross_a_serial_line_and_garbage_is_refused_then_drained() throws Exception {
        try (BusChannel station = Buses.serial(a); BusChannel device = Buses.serial(b)) {
            device.send(Frame.text(FrameType.HELLO, "dev-1"));
            assertThat(station.receive(Duration.ofSeconds(5)).text()).isEqualTo("dev-1");

            try (RandomAccessFile raw = new RandomAccessFile(b.toFile(), "rw")) {
                raw.write("+++ATZ\r\nnoise on the line".getBytes());
            }
            assertThatThrownBy(() -> station.receive(Duration.ofSeconds(5))).isInstanceOfSatisfying(BusException.class,
                    e -> assertThat(e.reason()).isEqualTo(BusException.Reason.BAD_MAGIC));
            station.resync();

            device.send(Frame.text(FrameType.HELLO, "dev-2"));
            assertThat(station.receive(Duration.ofSeconds(5)).text()).isEqualTo("dev-2");
            assertThatThrownBy(() -> station.receive(Duration.ofMillis(200))).isInstanceOfSatisfying(BusException.class,
                    e -> assertThat(e.reason()).isEqualTo(BusException.Reason.TIMEOUT));
        }
    }
}
