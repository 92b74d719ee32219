package dev.imprint.dps;

import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClient;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientTransportProtocol;
import com.microsoft.azure.sdk.iot.provisioning.security.SecurityProviderX509;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** The Azure IoT provisioning device SDK for Java, pointed at Imprint and trusting only Imprint's root. */
final class SdkDevice extends SecurityProviderX509 {
    private final DpsFixture.Device device;
    private final X509Certificate root;

    SdkDevice(DpsFixture.Device device, X509Certificate root) {
        this.device = device;
        this.root = root;
    }

    static ProvisioningDeviceClientRegistrationResult register(String endpoint, DpsFixture.Device device, X509Certificate root,
            ProvisioningDeviceClientTransportProtocol protocol) throws Exception {
        ProvisioningDeviceClient client = ProvisioningDeviceClient.create(endpoint, DpsFixture.ID_SCOPE, protocol, new SdkDevice(device, root));
        try {
            return client.registerDeviceSync(30);
        } finally {
            client.close();
        }
    }

    @Override
    public String getClientCertificateCommonName() {
        return device.id();
    }

    @Override
    public X509Certificate getClientCertificate() {
        return device.cert();
    }

    @Override
    public Key getClientPrivateKey() {
        return device.key().getPrivate();
    }

    @Override
    public Collection<X509Certificate> getIntermediateCertificatesChain() {
        return List.of(device.chain().get(0));
    }

    /** Trusts only Imprint's root; presents the device key with its chain. */
    @Override
    public SSLContext getSSLContext() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("imprint-root", root);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            char[] pass = "x".toCharArray();
            keys.setKeyEntry("device", device.key().getPrivate(), pass, device.tlsChain().subList(0, 2).toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, pass);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
