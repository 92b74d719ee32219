package dev.imprint.ca;

import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * A request to issue one certificate from a PKCS#10 CSR. Only the CSR's public key and its
 * requested device ID (subject CN, or a SAN URI {@code urn:imprint:device:ID}) are used; the
 * profile of the enrollment method decides everything else.
 *
 * @param csrDer the DER-encoded PKCS#10 request
 * @param method who asks, which decides the rules and the issuing CA
 */
public record IssuanceRequest(byte[] csrDer, Method method) {
    public IssuanceRequest {
        Objects.requireNonNull(csrDer, "csrDer");
        Objects.requireNonNull(method, "method");
    }

    /** A factory station enrolls a new device (issued by "manufacturing"). */
    public static IssuanceRequest byStation(String station, byte[] csrDer) {
        return new IssuanceRequest(csrDer, new Method.Station(station));
    }

    /** A device renews with its current, already validated certificate (issued by "operational"). */
    public static IssuanceRequest reenroll(X509Certificate current, byte[] csrDer) {
        return new IssuanceRequest(csrDer, new Method.Reenroll(current));
    }

    /** An administrator issues a device certificate from the named CA. */
    public static IssuanceRequest byAdmin(String actor, String ca, byte[] csrDer) {
        return new IssuanceRequest(csrDer, new Method.Admin(actor, ca));
    }

    /** The enrollment methods; each returns its own list of issuance rules. */
    public sealed interface Method {
        /** @param name the station's name, as authenticated by its certificate */
        record Station(String name) implements Method {}

        /** @param current the device's current certificate, already validated by the caller */
        record Reenroll(X509Certificate current) implements Method {}

        /** @param actor e.g. "admin:alice"; @param ca the issuing CA name */
        record Admin(String actor, String ca) implements Method {}
    }
}
