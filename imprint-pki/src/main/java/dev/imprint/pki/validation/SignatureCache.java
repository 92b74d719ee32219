package dev.imprint.pki.validation;

import dev.imprint.pki.CryptoProviders;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies certificate signatures with the fast provider and remembers the CA certificates
 * already verified under a given issuer key, so that a known intermediate costs a hash lookup.
 * Leaf signatures are never cached: each presentation of a leaf pays its one verification.
 */
final class SignatureCache {
    private static final Set<String> FAST_ALGS = Set.of("SHA256withECDSA", "SHA384withECDSA", "SHA512withECDSA",
            "SHA256withRSA", "SHA384withRSA", "SHA512withRSA", "Ed25519");

    private final int capacity;
    private final ConcurrentHashMap<Key, Boolean> verified = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, PublicKey> fastKeys = new ConcurrentHashMap<>();

    SignatureCache(int capacity) {
        this.capacity = capacity;
    }

    /** True when {@code cert}'s signature verifies with {@code issuerKey}. Never throws. */
    boolean verify(X509Certificate cert, PublicKey issuerKey, boolean cacheable) {
        Key key = null;
        if (cacheable && capacity > 0) {
            try {
                key = new Key(issuerKey.getEncoded(), cert.getEncoded());
            } catch (GeneralSecurityException e) {
                return false;
            }
            if (verified.containsKey(key)) {
                return true;
            }
        }
        boolean ok = doVerify(cert, issuerKey);
        if (ok && key != null) {
            if (verified.size() >= capacity) {
                verified.clear(); // crude but bounded; refilled by the next few validations
            }
            verified.put(key, Boolean.TRUE);
        }
        return ok;
    }

    private boolean doVerify(X509Certificate cert, PublicKey issuerKey) {
        String alg = cert.getSigAlgName();
        try {
            if (FAST_ALGS.contains(alg)) {
                Signature sig = Signature.getInstance(alg, CryptoProviders.fast());
                sig.initVerify(fastKey(issuerKey));
                sig.update(cert.getTBSCertificate());
                return sig.verify(cert.getSignature());
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            // fall through to the JDK's own verification, which knows more parameter forms
        }
        try {
            cert.verify(issuerKey);
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** The issuer key translated once into the fast provider's own key class. */
    private PublicKey fastKey(PublicKey key) throws GeneralSecurityException {
        String alg = key.getAlgorithm();
        if (!alg.equals("EC") && !alg.equals("RSA") && !alg.equals("Ed25519") && !alg.equals("EdDSA")) {
            return key;
        }
        Key k = new Key(key.getEncoded(), new byte[0]);
        PublicKey cached = fastKeys.get(k);
        if (cached != null) {
            return cached;
        }
        PublicKey translated;
        try {
            String kfAlg = alg.equals("EdDSA") ? "Ed25519" : alg;
            translated = KeyFactory.getInstance(kfAlg, CryptoProviders.fast())
                    .generatePublic(new X509EncodedKeySpec(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            translated = key;
        }
        if (fastKeys.size() >= capacity) {
            fastKeys.clear();
        }
        fastKeys.put(k, translated);
        return translated;
    }

    private static final class Key {
        private final byte[] a;
        private final byte[] b;
        private final int hash;

        Key(byte[] a, byte[] b) {
            this.a = a;
            this.b = b;
            this.hash = 31 * Arrays.hashCode(a) + Arrays.hashCode(b);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && hash == k.hash && Arrays.equals(a, k.a) && Arrays.equals(b, k.b);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
