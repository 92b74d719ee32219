package dev.imprint.pki.validation;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.DSAParams;
import java.security.interfaces.DSAPublicKey;
import java.security.spec.DSAPublicKeySpec;
import java.util.List;

/**
 * RFC 5280 6.1.4 (f) / RFC 3279 2.3.2: a DSA key certified without domain parameters inherits
 * them from the issuing CA's key. Only keys along a built path are completed this way.
 */
final class DsaKeys {
    private DsaKeys() {}

    static boolean lacksParams(PublicKey k) {
        return k instanceof DSAPublicKey d && d.getParams() == null;
    }

    /** {@code key} with {@code from}'s DSA parameters, or null when {@code from} is no DSA key with parameters. */
    static PublicKey inherit(PublicKey key, PublicKey from) {
        if (!(from instanceof DSAPublicKey f) || f.getParams() == null) {
            return null;
        }
        DSAParams p = f.getParams();
        try {
            return KeyFactory.getInstance("DSA").generatePublic(
                    new DSAPublicKeySpec(((DSAPublicKey) key).getY(), p.getP(), p.getQ(), p.getG()));
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    /** The key of {@code path.get(i)} with parameters inherited from the certificates above it. */
    static PublicKey effective(List<X509Certificate> path, int i) {
        PublicKey k = path.get(i).getPublicKey();
        if (!lacksParams(k)) {
            return k;
        }
        for (int j = i + 1; j < path.size(); j++) {
            PublicKey up = path.get(j).getPublicKey();
            if (!(up instanceof DSAPublicKey)) {
                return k;
            }
            if (!lacksParams(up)) {
                PublicKey done = inherit(k, up);
                return done != null ? done : k;
            }
        }
        return k;
    }
}
