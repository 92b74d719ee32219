package dev.imprint.mqtt;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns the TLS session's peer certificates into a chain the validator may parse and keep,
 * without growing the session. The OpenSSL engine's session holds its peer certificates as
 * lazily parsed wrappers that cache the parsed form; validating those would leave a fully
 * parsed certificate (extensions, names, URIs: several KiB of heap) on every idle connection
 * for its whole life. Here the leaf is parsed from its bytes (garbage once the verdict is
 * taken, apart from the JDK factory's own bounded cache) and intermediates come from a small shared cache, so a fleet's few issuing CAs are
 * parsed once. Thread-safe.
 */
final class PeerChains {
    private static final int MAX_CACHED = 256;

    private final ConcurrentHashMap<ByteBuffer, X509Certificate> intermediates = new ConcurrentHashMap<>();
    private final CertificateFactory factory;

    PeerChains() {
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("no X.509 certificate factory", e);
        }
    }

    /**
     * @param peer the session's peer certificates, leaf first
     * @return detached copies, leaf first; empty when {@code peer} holds no X.509 certificate
     * @throws IllegalArgumentException when a certificate cannot be re-encoded or parsed
     */
    List<X509Certificate> detach(Certificate[] peer) {
        List<X509Certificate> out = new ArrayList<>(peer.length);
        for (int i = 0; i < peer.length; i++) {
            if (!(peer[i] instanceof X509Certificate)) {
                continue;
            }
            byte[] der = encoded(peer[i]);
            if (out.isEmpty()) {
                out.add(parse(der));
            } else {
                out.add(intermediate(der));
            }
        }
        return out;
    }

    private X509Certificate intermediate(byte[] der) {
        ByteBuffer key = ByteBuffer.wrap(der);
        X509Certificate cached = intermediates.get(key);
        if (cached != null) {
            return cached;
        }
        X509Certificate parsed = parse(der);
        if (intermediates.size() >= MAX_CACHED) {
            intermediates.clear(); // a fleet has few issuing CAs; a flood of distinct ones just stops being cached
        }
        intermediates.putIfAbsent(key, parsed);
        return parsed;
    }

    private X509Certificate parse(byte[] der) {
        try {
            return (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw new IllegalArgumentException("unparseable peer certificate: " + e.getMessage(), e);
        }
    }

    private static byte[] encoded(Certificate c) {
        try {
            return c.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("peer certificate without an encoding: " + e.getMessage(), e);
        }
    }
}
