package dev.imprint.dps;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientStatus;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientSubstatus;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientTransportProtocol;
import dev.imprint.store.DeviceRecord;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The Azure IoT provisioning device SDK for Java registers factory-made devices with Imprint's DPS over HTTPS and MQTT. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AzureSdkIT {
    @TempDir
    Path dir;

    DpsFixture f;
    ProvisioningService dps;

    @BeforeEach
    void start() {
        f = new DpsFixture(dir);
        // MQTT must be on 8883 (the SDK's fixed port): a test address of its own, not the hub's 127.0.0.2
        dps = ProvisioningService.start(f.settings().withMqtt(DpsFixture.HOST, 8883), f.store, f.issuer());
        dps.ensureDefaults(f.manufacturing());
    }

    @AfterEach
    void stop() {
        if (dps != null) {
            dps.close();
        }
        f.close();
    }

    @Test
    void azure_sdk_registers_a_factory_device_over_https_and_gets_its_hub() throws Exception {
        DpsFixture.Device device = f.device("sdk-device-001");

        ProvisioningDeviceClientRegistrationResult r = SdkDevice.register(DpsFixture.HOST + ":" + dps.httpsPort(), device, f.root(),
                ProvisioningDeviceClientTransportProtocol.HTTPS);

        assertThat(r.getProvisioningDeviceClientStatus()).isEqualTo(ProvisioningDeviceClientStatus.PROVISIONING_DEVICE_STATUS_ASSIGNED);
        assertThat(r.getDeviceId()).isEqualTo("sdk-device-001");
        assertThat(r.getIothubUri()).isIn("127.0.0.3", "127.0.0.4");
        assertThat(r.getSubstatus()).isEqualTo(ProvisioningDeviceClientSubstatus.INITIAL_ASSIGNMENT);
        DeviceRecord stored = f.store.deviceRegistry().find("sdk-device-001").orElseThrow();
        assertThat(stored.hub()).isEqualTo(r.getIothubUri().equals("127.0.0.3") ? "hub-1" : "hub-2");
        assertThat(stored.enrollment()).isEqualTo("default");
        assertThat(stored.certSerial()).isEqualTo(device.cert().getSerialNumber().toString(16));
        assertThat(f.store.deviceRegistry().history("sdk-device-001", 10, 0)).extracting(e -> e.status()).containsExactly("assigned");
    }

    @Test
    void azure_sdk_registers_a_factory_device_over_mqtt_and_gets_its_hub() throws Exception {
        DpsFixture.Device device = f.device("sdk-mqtt-device-001");

        ProvisioningDeviceClientRegistrationResult r = SdkDevice.register(DpsFixture.HOST, device, f.root(),
                ProvisioningDeviceClientTransportProtocol.MQTT);

        assertThat(r.getProvisioningDeviceClientStatus()).isEqualTo(ProvisioningDeviceClientStatus.PROVISIONING_DEVICE_STATUS_ASSIGNED);
        assertThat(r.getDeviceId()).isEqualTo("sdk-mqtt-device-001");
        assertThat(r.getIothubUri()).isIn("127.0.0.3", "127.0.0.4");
        assertThat(f.store.deviceRegistry().find("sdk-mqtt-device-001").orElseThrow().enrollment()).isEqualTo("default");
        mqtt5_is_refused_with_0x84(device);
    }

    /**
     * The DPS speaks MQTT 3.1.1 only, as Azure DPS does (its SDKs never send 5): an MQTT 5 client
     * hears CONNACK 0x84 Unsupported Protocol Version, with the same certificate the SDK just used.
     * Here, on the running DPS, rather than in a test of its own (each starts a CA and a DPS).
     */
    private void mqtt5_is_refused_with_0x84(DpsFixture.Device device) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(new java.io.File("/usr/bin/mosquitto_pub").canExecute(), "mosquitto-clients not installed");
        Path cert = dir.resolve("v5.crt");
        Path key = dir.resolve("v5.key");
        Path ca = dir.resolve("v5-root.crt");
        java.nio.file.Files.writeString(cert, dev.imprint.pki.Pem.write(device.tlsChain().toArray()));
        java.nio.file.Files.writeString(key, dev.imprint.pki.Pem.write(device.key().getPrivate()));
        java.nio.file.Files.writeString(ca, dev.imprint.pki.Pem.write(f.root()));
        Process p = new ProcessBuilder("mosquitto_pub", "-V", "mqttv5", "-h", DpsFixture.HOST, "-p", "8883", "--cafile", ca.toString(),
                "--cert", cert.toString(), "--key", key.toString(), "-i", device.id(), "-t", "$dps/registrations/GET/x", "-n")
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isNotZero();
        assertThat(out).containsIgnoringCase("unsupported protocol version");
    }

    @Test
    void azure_sdk_with_a_revoked_certificate_is_refused() throws Exception {
        DpsFixture.Device device = f.device("sdk-revoked");
        f.ca.revocation().revoke(device.cert().getSerialNumber().toString(16), 1, "test");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SdkDevice.register(DpsFixture.HOST + ":" + dps.httpsPort(), device,
                f.root(), ProvisioningDeviceClientTransportProtocol.HTTPS)).isNotNull();
        assertThat(f.store.deviceRegistry().history("sdk-revoked", 5, 0)).extracting(e -> e.errorCode()).containsExactly("REVOKED");
    }
}
