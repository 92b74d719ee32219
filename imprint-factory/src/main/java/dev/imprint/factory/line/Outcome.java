package dev.imprint.factory.line;

/**
 * How one device's conversation ended (a value, not an exception: a refused device is a
 * normal event on the line).
 */
public sealed interface Outcome {
    /** Provisioned: certificate installed, possession proved, recorded in the ledger. */
    record Provisioned(String deviceId, String serialHex, boolean reusedCertificate) implements Outcome {}

    /** This device was refused or failed; the line goes on unless {@code stopsLine}. */
    record Refused(String deviceId, String code, String message, boolean stopsLine) implements Outcome {}
}
