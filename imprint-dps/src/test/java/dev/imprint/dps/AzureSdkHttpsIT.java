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

/** The Azure IoT provisioning device SDK for Java registers a factory-made device with Imprint's DPS over HTTPS. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AzureSdkHttpsIT {
    @TempDir
    Path dir;

    DpsFixture f;
    ProvisioningService dps;

    @BeforeEach
    void start() {
        f = new DpsFixture(dir);
        dps = ProvisioningService.start(f.settings(), f.store, new AuthorityIssuer(f.ca));
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
}
