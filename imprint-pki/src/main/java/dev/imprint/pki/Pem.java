package dev.imprint.pki;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.util.io.pem.PemObject;

/** PEM reading and writing for certificates, CRLs, CSRs and (optionally encrypted) PKCS#8 keys. */
public final class Pem {
    private Pem() {}

    /** PEM of certificates, CRLs, CSRs, collections of them, and private keys (unencrypted PKCS#8). */
    public static String write(Object... objects) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            for (Object o : objects) {
                if (o instanceof Collection<?> c) {
                    for (Object e : c) {
                        w.writeObject(e);
                    }
                } else if (o instanceof PrivateKey k) {
                    // always PKCS#8: a SEC1 "EC PRIVATE KEY" written from a native provider's key
                    // may lack the curve, and OpenSSL, curl and Netty then cannot read it
                    // (v1, without the optional public key, which OpenSSL 3.0 refuses for Ed25519)
                    PrivateKeyInfo info = PrivateKeyInfo.getInstance(k.getEncoded());
                    PrivateKeyInfo v1 = new PrivateKeyInfo(info.getPrivateKeyAlgorithm(), info.parsePrivateKey(), info.getAttributes());
                    w.writeObject(new PemObject("PRIVATE KEY", v1.getEncoded()));
                } else {
                    w.writeObject(o);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * PBKDF2 iterations for a key file written now; a file records its own count, so files with
     * any count read. 210,000 is OWASP's figure for PBKDF2-HMAC-SHA256. The test build lowers it
     * ({@code -Dimprint.keyFile.iterations}, never below 1,000): a new CA writes four keys and
     * reads them back, about 2 s of CPU, and the suite makes hundreds of CAs. Not for production.
     */
    static final int KEY_FILE_ITERATIONS = Math.max(1_000, Integer.getInteger("imprint.keyFile.iterations", 210_000));

    /** A private key as encrypted PKCS#8 (AES-256-CBC, PBKDF2 with HMAC-SHA256). */
    public static String writeEncryptedKey(PrivateKey key, char[] passphrase) {
        try {
            // PBES2: the builder takes the cipher OID; PBKDF2 is implied, the PRF set explicitly.
            var enc = new JceOpenSSLPKCS8EncryptorBuilder(org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC)
                    .setProvider(CryptoProviders.bouncyCastle())
                    .setPRF(org.bouncycastle.openssl.PKCS8Generator.PRF_HMACSHA256)
                    .setPassword(passphrase)
                    .setIterationCount(KEY_FILE_ITERATIONS)
                    .build();
            var gen = new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, enc);
            PemObject obj = gen.generate();
            StringWriter out = new StringWriter();
            try (JcaPEMWriter w = new JcaPEMWriter(out)) {
                w.writeObject(obj);
            }
            return out.toString();
        } catch (OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot encrypt private key", e);
        }
    }

    /**
     * The certificates of a PEM text, in order (empty for a text without any).
     *
     * @throws IllegalArgumentException for a block that is not a certificate or does not parse
     */
    public static List<X509Certificate> readCertificates(String pem) {
        // Decoded block by block and handed over as DER: the JDK's factory keeps recently parsed
        // DER certificates, so the issuer certificates that come with every chain are parsed once.
        List<X509Certificate> out = new ArrayList<>();
        try (org.bouncycastle.util.io.pem.PemReader r = new org.bouncycastle.util.io.pem.PemReader(new StringReader(pem))) {
            CertificateFactory cf = X509.get();
            for (PemObject o = r.readPemObject(); o != null; o = r.readPemObject()) {
                if (!o.getType().equals("CERTIFICATE") && !o.getType().equals("X509 CERTIFICATE")) {
                    throw new IllegalArgumentException("not a PEM certificate list: found a " + o.getType() + " block");
                }
                out.add((X509Certificate) cf.generateCertificate(new java.io.ByteArrayInputStream(o.getContent())));
            }
            return out;
        } catch (CertificateException | IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null && iae.getMessage().startsWith("not a PEM")) {
                throw iae;
            }
            throw new IllegalArgumentException("not a PEM certificate list: " + e.getMessage(), e);
        }
    }

    /** One X.509 factory per thread: looking the provider up costs more than a small parse. */
    private static final ThreadLocal<CertificateFactory> X509 = ThreadLocal.withInitial(() -> {
        try {
            return CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
    });

    /** A DER certificate. @throws IllegalArgumentException when it does not parse */
    public static X509Certificate certificate(byte[] der) {
        try {
            return (X509Certificate) X509.get().generateCertificate(new java.io.ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a DER certificate: " + e.getMessage(), e);
        }
    }

    public static List<X509Certificate> readCertificates(Path file) throws IOException {
        return readCertificates(Files.readString(file, StandardCharsets.US_ASCII));
    }

    public static X509Certificate readCertificate(Path file) throws IOException {
        List<X509Certificate> certs = readCertificates(file);
        if (certs.isEmpty()) {
            throw new IOException("no certificate in " + file);
        }
        return certs.get(0);
    }

    public static X509CRL readCrl(byte[] derOrPem) {
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            return (X509CRL) cf.generateCRL(new java.io.ByteArrayInputStream(derOrPem));
        } catch (java.security.cert.CRLException | CertificateException e) {
            throw new IllegalArgumentException("not a CRL: " + e.getMessage(), e);
        }
    }

    public static PKCS10CertificationRequest readCsr(String pem) {
        Object o = readObject(new StringReader(pem));
        if (o instanceof PKCS10CertificationRequest csr) {
            return csr;
        }
        throw new IllegalArgumentException("not a PEM certificate request");
    }

    /** Reads a PKCS#8 (plain or encrypted), SEC1 or PKCS#1 private key. */
    public static PrivateKey readPrivateKey(String pem, char[] passphrase) {
        Object o = readObject(new StringReader(pem));
        JcaPEMKeyConverter conv = new JcaPEMKeyConverter().setProvider(CryptoProviders.bouncyCastle());
        try {
            if (o instanceof PKCS8EncryptedPrivateKeyInfo enc) {
                if (passphrase == null) {
                    throw new IllegalArgumentException("the private key is encrypted and no passphrase was given");
                }
                var dec = new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(CryptoProviders.bouncyCastle()).build(passphrase);
                return conv.getPrivateKey(enc.decryptPrivateKeyInfo(dec));
            }
            if (o instanceof PrivateKeyInfo info) {
                return conv.getPrivateKey(info);
            }
            if (o instanceof PEMKeyPair kp) {
                return conv.getKeyPair(kp).getPrivate();
            }
        } catch (OperatorCreationException | PKCSException e) {
            throw new IllegalArgumentException("cannot decrypt private key (wrong passphrase?)", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable private key: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("not a PEM private key");
    }

    public static PrivateKey readPrivateKey(Path file, char[] passphrase) throws IOException {
        return readPrivateKey(Files.readString(file, StandardCharsets.US_ASCII), passphrase);
    }

    private static Object readObject(Reader r) {
        try (PEMParser p = new PEMParser(r)) {
            return p.readObject();
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable PEM: " + e.getMessage(), e);
        }
    }
}
