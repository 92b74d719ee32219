package dev.imprint.mqtt;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.security.cert.Certificate;
import javax.net.ssl.SSLEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops the TLS session's own copies of the client's certificates once the chain was taken for
 * the validator. Netty's OpenSSL session keeps the peer's certificate encodings (and wrappers
 * of them) for the connection's life, ~1.3 KiB of heap per idle session, though nothing reads
 * them again: the verdict is taken once, and the session keeps only what it needs (identity,
 * serial, expiry). Netty has no public way to do this, so it is done on its private fields,
 * looked up once; when they are not there (another Netty version, the JDK engine) nothing is
 * dropped and the connection works as before. {@code SessionPeerCertificatesTest} fails when a
 * Netty upgrade makes this a no-op.
 *
 * <p>Two more collections of every connection go the same way, ~0.3 KiB: the session's value map
 * (a {@code ConcurrentHashMap} made for each session, for {@code SSLSession.putValue}, which
 * nothing here calls: an empty map from then on) and the engine's set of enabled protocol names
 * (a {@code LinkedHashSet} read once more only if protocols were set again: an immutable copy).
 */
final class SessionPeerCertificates {
    private static final Logger LOG = LoggerFactory.getLogger(SessionPeerCertificates.class);
    private static final Fields FIELDS = Fields.find();

    private SessionPeerCertificates() {}

    /** @return whether the session's copies were dropped */
    static boolean release(SSLEngine engine) {
        Fields f = FIELDS;
        if (f == null || !f.engine.getDeclaringClass().isInstance(engine)) {
            return false;
        }
        try {
            // the engine guards its session's state with its own monitor
            synchronized (engine) {
                Object session = f.engine.get(engine);
                if (f.wrapped.getDeclaringClass().isInstance(session)) {
                    session = f.wrapped.get(session);
                }
                if (!f.peer.getDeclaringClass().isInstance(session)) {
                    return false;
                }
                f.peer.set(session, f.noPeer);
                f.javaxPeer.set(session, f.noJavaxPeer);
                if (f.values != null) {
                    f.values.set(session, java.util.Collections.emptyMap());
                }
                if (f.protocols != null && f.protocols.get(engine) instanceof java.util.Set<?> p) {
                    f.protocols.set(engine, java.util.Set.copyOf(p));
                }
            }
            return true;
        } catch (IllegalAccessException | RuntimeException e) {
            return false;
        }
    }

    /** {@code values} and {@code protocols} are null when this Netty has no such field of that type. */
    private record Fields(Field engine, Field wrapped, Field peer, Field javaxPeer, Object noPeer, Object noJavaxPeer, Field values,
            Field protocols) {
        static Fields find() {
            try {
                Field engine = field("io.netty.handler.ssl.ReferenceCountedOpenSslEngine", "session");
                Field wrapped = field("io.netty.handler.ssl.ExtendedOpenSslSession", "wrapped");
                Field peer = field("io.netty.handler.ssl.ReferenceCountedOpenSslEngine$DefaultOpenSslSession", "peerCerts");
                Field javaxPeer = field("io.netty.handler.ssl.ReferenceCountedOpenSslEngine$DefaultOpenSslSession", "x509PeerCerts");
                if (peer.getType() != Certificate[].class || !javaxPeer.getType().isArray()) {
                    throw new NoSuchFieldException("peer certificate fields of another type");
                }
                return new Fields(engine, wrapped, peer, javaxPeer, new Certificate[0], Array.newInstance(javaxPeer.getType().getComponentType(), 0),
                        optional("io.netty.handler.ssl.ReferenceCountedOpenSslEngine$DefaultOpenSslSession", "keyValueStorage", java.util.Map.class),
                        optional("io.netty.handler.ssl.ReferenceCountedOpenSslEngine", "enabledProtocols", java.util.Set.class));
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                LOG.info("event=tls.peer_certificates_kept msg=\"this Netty's session fields differ ({}): the TLS session keeps its copy of each client chain\"",
                        e.toString());
                return null;
            }
        }

        private static Field optional(String type, String name, Class<?> of) {
            try {
                Field f = field(type, name);
                return f.getType() == of ? f : null;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }

        private static Field field(String type, String name) throws ReflectiveOperationException {
            Field f = Class.forName(type, false, SessionPeerCertificates.class.getClassLoader()).getDeclaredField(name);
            f.setAccessible(true);
            return f;
        }
    }
}
