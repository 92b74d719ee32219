package dev.imprint.mqtt.proxy;

/** Why the PROXY protocol gate closed a connection: the stable codes logged and counted. */
public enum ProxyReason {
    /** A balancer's connection did not start with a PROXY header. */
    PROXY_HEADER_MISSING,
    /** A peer that is not a configured balancer sent a PROXY header (it could spoof any address). */
    PROXY_NOT_ALLOWED,
    /** A balancer's PROXY header could not be decoded, or carries a protocol other than TCP. */
    PROXY_HEADER_MALFORMED
}
