package dev.imprint.device;

import dev.imprint.device.bus.BusChannel;
import dev.imprint.device.bus.BusException;
import dev.imprint.device.bus.Frame;
import dev.imprint.device.bus.FrameType;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The device side of the factory step. {@link #factoryJoin} runs one conversation with a
 * station: announce (with the ID it already has, if any), take the assigned ID, send a CSR
 * signed by its own key, check that the certificate it gets back carries that key (refusing
 * it otherwise), store it, and prove possession by signing the station's nonce.
 */
public final class Device {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,127}");

    private final DeviceState state;

    public Device(DeviceState state) {
        this.state = state;
    }

    public DeviceState state() {
        return state;
    }

    /** How a join ended. @param deviceId the ID now carried; @param serialHex the installed certificate's serial */
    public record JoinResult(String deviceId, String serialHex) {}

    /**
     * Runs the conversation; each step waits at most {@code stepTimeout}.
     *
     * @throws BusException with the bus reason, PEER_ERROR carrying the station's code (for
     *     example ID_NOT_ALLOWED), or PROTOCOL with code KEY_MISMATCH when the station sends a
     *     certificate for another key (then nothing is installed and the station is told so)
     */
    public JoinResult factoryJoin(BusChannel bus, Duration stepTimeout) {
        bus.send(Frame.text(FrameType.HELLO, state.deviceId().orElse("")));
        String id = bus.receive(stepTimeout).expect(FrameType.ASSIGN).text();
        if (!ID.matcher(id).matches() || state.deviceId().filter(own -> !own.equals(id)).isPresent()) {
            bus.send(Frame.error("BAD_ASSIGNMENT", "cannot take device ID " + id));
            throw new BusException(BusException.Reason.PROTOCOL, "station assigned an unusable ID " + id);
        }
        state.saveDeviceId(id);
        DeviceKey key = state.key();
        bus.send(new Frame(FrameType.CSR, Csrs.build(key, id)));

        byte[] cert = bus.receive(stepTimeout).expect(FrameType.CERT).payload();
        if (cert.length <= PossessionProof.NONCE_BYTES) {
            throw new BusException(BusException.Reason.PROTOCOL, "CERT frame without a certificate");
        }
        byte[] nonce = Arrays.copyOf(cert, PossessionProof.NONCE_BYTES);
        List<X509Certificate> chain = parse(new String(cert, PossessionProof.NONCE_BYTES, cert.length - PossessionProof.NONCE_BYTES,
                StandardCharsets.US_ASCII));
        X509Certificate leaf = chain.get(0);
        // the one check a device must make: a certificate for someone else's key is worthless to it
        if (!key.matches(leaf.getPublicKey())) {
            bus.send(Frame.error("KEY_MISMATCH", "the certificate does not carry this device's key"));
            throw new BusException(BusException.Reason.PROTOCOL, "KEY_MISMATCH: the station sent a certificate for another key");
        }
        state.install(chain);
        byte[] der;
        try {
            der = leaf.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new BusException(BusException.Reason.PROTOCOL, "certificate does not encode", e);
        }
        bus.send(new Frame(FrameType.PROOF, PossessionProof.sign(key, nonce, der)));
        bus.receive(stepTimeout).expect(FrameType.DONE);
        state.markProvisioned();
        return new JoinResult(id, leaf.getSerialNumber().toString(16));
    }

    static List<X509Certificate> parse(String pem) {
        List<X509Certificate> out;
        try {
            out = dev.imprint.pki.Pem.readCertificates(pem);
        } catch (IllegalArgumentException e) {
            throw new BusException(BusException.Reason.PROTOCOL, "CERT frame does not parse: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new BusException(BusException.Reason.PROTOCOL, "CERT frame holds no certificate");
        }
        return out;
    }
}
